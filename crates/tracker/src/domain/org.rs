//! What an organisation is: its kinds and statuses, and the checks on a new
//! organisation and its retention setting.

use serde::Deserialize;

use crate::error::AppError;

/// The kinds of subscribing organisation.
pub const ORG_KINDS: &[&str] = &[
    "county",
    "district",
    "unitary",
    "metropolitan",
    "london_borough",
    "welsh_principal_council",
    "nhs_body",
    "police",
    "fire",
    "housing_association",
    "other",
];

/// Organisation statuses. Keys of a suspended organisation stop working.
pub const ORG_STATUSES: &[&str] = &["active", "suspended"];

/// What is needed to create an organisation.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    /// Short unique code: lower-case letters, digits and hyphens (2–64).
    pub code: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Welsh.
    pub name_cy: String,
    /// One of [`ORG_KINDS`].
    pub kind: String,
    /// Region (free text, e.g. "Wales", "North West").
    pub region: String,
    /// Contribution in pence.
    #[serde(default)]
    pub contribution_pence: i64,
    /// Contribution date, `YYYY-MM-DD`.
    #[serde(default)]
    pub contribution_date: Option<String>,
    /// Delete events older than this many months (none: keep).
    #[serde(default)]
    pub retention_months: Option<i64>,
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), AppError> {
    if value.trim().is_empty() {
        return Err(AppError::bad(
            "invalid_field",
            format!("{field} must not be empty"),
        ));
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(AppError::bad(
            "invalid_field",
            format!("{field} must be at most {max} printable characters"),
        ));
    }
    Ok(())
}

/// Checks an organisation code.
pub fn check_code(code: &str) -> Result<(), AppError> {
    let ok = (2..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(AppError::bad(
            "invalid_code",
            "code must be 2-64 lower-case letters, digits or hyphens",
        ))
    }
}

/// Checks a retention setting.
pub fn check_retention(months: Option<i64>) -> Result<(), AppError> {
    match months {
        Some(m) if !(1..=1200).contains(&m) => Err(AppError::bad(
            "invalid_retention",
            "retention_months must be between 1 and 1200",
        )),
        _ => Ok(()),
    }
}

impl NewOrg {
    /// Validates every field.
    pub fn validate(&self) -> Result<(), AppError> {
        check_code(&self.code)?;
        check_text("name_en", &self.name_en, 200)?;
        check_text("name_cy", &self.name_cy, 200)?;
        check_text("region", &self.region, 100)?;
        if !ORG_KINDS.contains(&self.kind.as_str()) {
            return Err(AppError::bad(
                "invalid_kind",
                format!("kind must be one of: {}", ORG_KINDS.join(", ")),
            ));
        }
        if self.contribution_pence < 0 {
            return Err(AppError::bad(
                "invalid_field",
                "contribution_pence must not be negative",
            ));
        }
        if let Some(d) = &self.contribution_date {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return Err(AppError::bad(
                    "invalid_field",
                    "contribution_date must be YYYY-MM-DD",
                ));
            }
        }
        check_retention(self.retention_months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> NewOrg {
        NewOrg {
            code: "cardiff".into(),
            name_en: "Cardiff Council".into(),
            name_cy: "Cyngor Caerdydd".into(),
            kind: "welsh_principal_council".into(),
            region: "Wales".into(),
            contribution_pence: 250_000,
            contribution_date: Some("2026-04-01".into()),
            retention_months: Some(24),
        }
    }

    #[test]
    fn validation() {
        assert!(org().validate().is_ok());
        type Case = Box<dyn Fn(&mut NewOrg)>;
        let cases: Vec<Case> = vec![
            Box::new(|o| o.code = "Cardiff".into()),
            Box::new(|o| o.code = "-x".into()),
            Box::new(|o| o.code = "a".into()),
            Box::new(|o| o.name_cy = " ".into()),
            Box::new(|o| o.kind = "parish".into()),
            Box::new(|o| o.contribution_pence = -1),
            Box::new(|o| o.contribution_date = Some("01/04/2026".into())),
            Box::new(|o| o.retention_months = Some(0)),
        ];
        for (i, f) in cases.iter().enumerate() {
            let mut o = org();
            f(&mut o);
            assert!(o.validate().is_err(), "case {i} should fail");
        }
    }
}
