//! Organisation placeholders such as `{{service_desk}}` and their defaults.

use pecyn_core::Locale;
use std::collections::BTreeMap;

/// The values placeholders take, per language. Without an organisation
/// profile, [`Placeholders::default`] gives the generic wording.
#[derive(Debug, Clone)]
pub struct Placeholders {
    values: BTreeMap<String, [String; 2]>,
}

const DEFAULTS: [(&str, &str, &str); 5] = [
    ("organisation", "your organisation", "eich sefydliad"),
    (
        "service_desk",
        "your IT service desk",
        "desg gwasanaeth TG eich sefydliad",
    ),
    (
        "dpo",
        "your Data Protection Officer",
        "eich Swyddog Diogelu Data",
    ),
    (
        "security_contact",
        "your information security team",
        "tîm diogelwch gwybodaeth eich sefydliad",
    ),
    (
        "report_incident",
        "report it to your IT service desk straight away",
        "rhowch wybod i ddesg gwasanaeth TG eich sefydliad ar unwaith",
    ),
];

impl Default for Placeholders {
    fn default() -> Self {
        Placeholders {
            values: DEFAULTS
                .iter()
                .map(|(k, en, cy)| (k.to_string(), [en.to_string(), cy.to_string()]))
                .collect(),
        }
    }
}

impl Placeholders {
    /// The value of a placeholder in a language, if it is known.
    pub fn get(&self, name: &str, locale: Locale) -> Option<&str> {
        self.values.get(name).map(|v| match locale {
            Locale::En => v[0].as_str(),
            Locale::Cy => v[1].as_str(),
        })
    }

    /// Overrides a known placeholder (for an organisation profile).
    /// Returns false if the name is not a placeholder.
    pub fn set(&mut self, name: &str, en: String, cy: String) -> bool {
        match self.values.get_mut(name) {
            Some(v) => {
                *v = [en, cy];
                true
            }
            None => false,
        }
    }

    /// Every placeholder name, as authors write it.
    pub fn names(&self) -> Vec<String> {
        self.values.keys().map(|k| format!("{{{{{k}}}}}")).collect()
    }
}
