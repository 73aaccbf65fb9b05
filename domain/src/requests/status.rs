//! Where a request stands: the statuses it moves through and the only transitions allowed.

use crate::vocabulary;

vocabulary! {
    /// Where a request stands (W3C DPV / Data Rights Protocol).
    RequestStatus {
        Received => "received",
        /// Waiting for the resident to prove who they are (the clock is paused).
        IdentityCheck => "identity_check",
        InProgress => "in_progress",
        /// The deadline was extended, with a reason the resident sees.
        Extended => "extended",
        Fulfilled => "fulfilled",
        /// Refused, with a reason and the right to complain to the supervisory authority.
        Rejected => "rejected",
        /// Withdrawn by the resident.
        Withdrawn => "withdrawn",
    }
}

/// A transition the state machine does not allow; nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("a request that is {from} cannot become {to}")]
pub struct IllegalTransition {
    pub from: RequestStatus,
    pub to: RequestStatus,
}

impl RequestStatus {
    /// Whether the request is over: nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Fulfilled | RequestStatus::Rejected | RequestStatus::Withdrawn
        )
    }

    /// Checks that a request in this status may move to `next`.
    pub fn transition(self, next: RequestStatus) -> Result<RequestStatus, IllegalTransition> {
        use RequestStatus::*;
        let allowed = match (self, next) {
            (_, Withdrawn) => !self.is_closed(),
            (Received, IdentityCheck | InProgress | Rejected) => true,
            (IdentityCheck, InProgress | Rejected) => true,
            (InProgress, Extended | Fulfilled | Rejected) => true,
            (Extended, Fulfilled | Rejected) => true,
            _ => false,
        };
        if allowed {
            Ok(next)
        } else {
            Err(IllegalTransition { from: self, to: next })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    /// Every transition the lifecycle allows, and no other.
    const ALLOWED: &[(RequestStatus, RequestStatus)] = &[
        (Received, IdentityCheck),
        (Received, InProgress),
        (Received, Rejected),
        (Received, Withdrawn),
        (IdentityCheck, InProgress),
        (IdentityCheck, Rejected),
        (IdentityCheck, Withdrawn),
        (InProgress, Extended),
        (InProgress, Fulfilled),
        (InProgress, Rejected),
        (InProgress, Withdrawn),
        (Extended, Fulfilled),
        (Extended, Rejected),
        (Extended, Withdrawn),
    ];

    #[test]
    fn the_allowed_transitions_follow_the_lifecycle() {
        for &(from, to) in ALLOWED {
            assert_eq!(from.transition(to), Ok(to), "{from} -> {to}");
        }
        // Every other pair of the 7 x 7 is refused.
        for &from in RequestStatus::ALL {
            for &to in RequestStatus::ALL {
                if !ALLOWED.contains(&(from, to)) {
                    assert_eq!(
                        from.transition(to),
                        Err(IllegalTransition { from, to }),
                        "{from} -> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        for (from, to) in [
            (Received, Fulfilled),
            (Received, Extended),
            (IdentityCheck, Fulfilled),
            (Extended, Extended),
            (Fulfilled, InProgress),
            (Rejected, Withdrawn),
            (Withdrawn, Received),
            (Fulfilled, Withdrawn),
        ] {
            let err = from.transition(to).unwrap_err();
            assert_eq!(err, IllegalTransition { from, to });
        }
        assert_eq!(
            Fulfilled.transition(Withdrawn).unwrap_err().to_string(),
            "a request that is fulfilled cannot become withdrawn"
        );
    }
}
