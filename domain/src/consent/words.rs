//! The receipt's own sentences, in each language a receipt can be written in.

use super::action::Channel;
use crate::lang::Lang;

/// The receipt's own sentences, in the receipt's language.
pub(super) struct Words {
    web: &'static str,
    assisted: &'static str,
    api: &'static str,
    pub(super) contact: &'static str,
    pub(super) withdrawal: &'static str,
    pub(super) until_withdrawn: &'static str,
    pub(super) until_granted: &'static str,
}

impl Words {
    /// The sentences of `language` (a code); English for a code Glasshouse does not speak.
    pub(super) fn of(language: &str) -> Words {
        match Lang::from_code(language).unwrap_or_default() {
            Lang::Es => Words {
                web: "formulario web con sesión iniciada",
                assisted: "con la ayuda de un delegado de protección de datos",
                api: "sistema de un organismo a través de la API de consentimiento",
                contact: "Delegado de protección de datos",
                withdrawal: "Inicia sesión en {url} y pulsa «Retirar consentimiento» junto a la finalidad: una sola acción, con efecto inmediato.",
                until_withdrawn: "hasta que se retire",
                until_granted: "hasta que se vuelva a dar",
            },
            Lang::Ar => Words {
                web: "نموذج إلكتروني بعد تسجيل الدخول",
                assisted: "بمساعدة موظف حماية البيانات",
                api: "نظام تابع لجهة حكومية عبر واجهة برمجة الموافقات",
                contact: "مسؤول حماية البيانات",
                withdrawal: "سجّل الدخول في {url} واضغط «سحب الموافقة» بجانب الغرض: إجراء واحد يسري فورًا.",
                until_withdrawn: "إلى أن تُسحب",
                until_granted: "إلى أن تُمنح من جديد",
            },
            Lang::En => Words {
                web: "signed-in web form",
                assisted: "assisted by a privacy officer",
                api: "agency system through the consent API",
                contact: "Data protection officer",
                withdrawal: "Sign in at {url} and press \"Withdraw consent\" beside the purpose: one action, effective at once.",
                until_withdrawn: "until withdrawn",
                until_granted: "until granted again",
            },
        }
    }

    /// How the consent was collected, as the receipt says it.
    pub(super) fn collection_method(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Web => self.web,
            Channel::Assisted => self.assisted,
            Channel::Api => self.api,
        }
    }
}
