//! Consent events: what one does (grant or withdraw), the channel it came by, and the state
//! it leaves behind.

use crate::decision::ConsentState;
use crate::vocabulary;

vocabulary! {
    /// What a consent event does.
    ConsentAction {
        Grant => "grant",
        Withdraw => "withdraw",
    }
}

vocabulary! {
    /// How a consent event reached the city.
    Channel {
        /// The resident, signed in on the web.
        Web => "web",
        /// An officer on the resident's behalf (at a counter, on the phone).
        Assisted => "assisted",
        /// An agency system through the API.
        Api => "api",
    }
}

impl ConsentAction {
    /// The consent state this action leaves behind.
    pub fn resulting_state(self) -> ConsentState {
        match self {
            ConsentAction::Grant => ConsentState::Given,
            ConsentAction::Withdraw => ConsentState::Withdrawn,
        }
    }
}

impl ConsentState {
    /// The W3C DPV name of the state.
    pub fn dpv(self) -> &'static str {
        match self {
            ConsentState::Given => "ConsentGiven",
            ConsentState::Withdrawn => "ConsentWithdrawn",
            ConsentState::NeverAsked => "ConsentRequested",
        }
    }
}
