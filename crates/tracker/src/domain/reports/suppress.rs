//! Small-number suppression for figures shown outside their organisation.
//!
//! **The rule.** A count of one organisation seen by anyone outside it (a
//! reader key of another organisation, the public page) is shown exactly
//! when it is 0 or at least [`THRESHOLD`], and as "fewer than 5" / "llai
//! na 5" when it is 1 to 4.
//!
//! **Totals and subtotals ("published-cells totals").** A total that
//! includes a suppressed count is the sum of the *shown* counts only, and
//! is marked as a lower bound: "at least 1,230". It is therefore a function
//! of the cells already on the page, and subtracting shown cells from it
//! yields 0, never a hidden count. The same holds across groupings: a
//! figure grouped without organisation (by module, by month…) is built
//! from the per-organisation figures after suppression, so asking for
//! `group_by=module` reveals nothing that `group_by=org,module` hides.
//! Derived figures (pass rate, shares, coverage, "not yet", medians) are
//! hidden whenever a count they are made of is hidden.
//!
//! What it does not protect against: comparing reports over different date
//! ranges or periods (a month against its weeks). Readers are known
//! co-funders, not the public, and the public page shows no counts.

use serde::{Serialize, Serializer};

/// Counts below this (and above zero) are hidden from outsiders.
pub const THRESHOLD: u64 = 5;

/// A count as shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// The exact figure.
    Exact(u64),
    /// 1 to 4, hidden.
    FewerThan5,
    /// A total of shown cells that leaves out suppressed ones.
    AtLeast(u64),
}

impl Count {
    /// `n` as seen by its own organisation (`exact`) or by an outsider.
    pub fn of(n: u64, exact: bool) -> Count {
        if exact || n == 0 || n >= THRESHOLD {
            Count::Exact(n)
        } else {
            Count::FewerThan5
        }
    }

    /// The exact value, if shown.
    pub fn exact(self) -> Option<u64> {
        match self {
            Count::Exact(n) => Some(n),
            _ => None,
        }
    }

    /// The value that counts toward a published total (0 when hidden).
    pub fn shown(self) -> u64 {
        match self {
            Count::Exact(n) | Count::AtLeast(n) => n,
            Count::FewerThan5 => 0,
        }
    }

    /// Adds another shown count into this total.
    pub fn plus(self, other: Count) -> Count {
        let n = self.shown() + other.shown();
        match (self, other) {
            (Count::Exact(_), Count::Exact(_)) => Count::Exact(n),
            _ => Count::AtLeast(n),
        }
    }

    /// The text shown in a table.
    pub fn text(self, welsh: bool) -> String {
        match (self, welsh) {
            (Count::Exact(n), _) => group_thousands(n),
            (Count::FewerThan5, false) => "fewer than 5".into(),
            (Count::FewerThan5, true) => "llai na 5".into(),
            (Count::AtLeast(n), false) => format!("at least {}", group_thousands(n)),
            (Count::AtLeast(n), true) => format!("o leiaf {}", group_thousands(n)),
        }
    }
}

impl Default for Count {
    fn default() -> Self {
        Count::Exact(0)
    }
}

/// JSON: an exact count is a number; otherwise an object saying why not,
/// e.g. `{"fewer_than": 5}` or `{"at_least": 1230}`.
impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Count::Exact(n) => s.serialize_u64(*n),
            Count::FewerThan5 => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("fewer_than", &THRESHOLD)?;
                m.end()
            }
            Count::AtLeast(n) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("at_least", n)?;
                m.end()
            }
        }
    }
}

/// `12345` → `12,345`.
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A ratio of two counts, hidden unless both are exact and the denominator
/// is not zero.
pub fn ratio(num: Count, den: Count) -> Option<f64> {
    match (num.exact(), den.exact()) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_hidden_from_outsiders_only() {
        assert_eq!(Count::of(0, false), Count::Exact(0));
        for n in 1..5 {
            assert_eq!(Count::of(n, false), Count::FewerThan5);
            assert_eq!(Count::of(n, true), Count::Exact(n));
        }
        assert_eq!(Count::of(5, false), Count::Exact(5));
        assert_eq!(Count::FewerThan5.text(false), "fewer than 5");
        assert_eq!(Count::FewerThan5.text(true), "llai na 5");
        assert_eq!(Count::AtLeast(12_345).text(true), "o leiaf 12,345");
        assert_eq!(
            serde_json::to_string(&[Count::Exact(7), Count::FewerThan5, Count::AtLeast(9)])
                .unwrap_or_default(),
            r#"[7,{"fewer_than":5},{"at_least":9}]"#
        );
    }

    #[test]
    fn totals_of_hidden_cells_are_lower_bounds() {
        let t = Count::Exact(10)
            .plus(Count::FewerThan5)
            .plus(Count::Exact(6));
        assert_eq!(t, Count::AtLeast(16));
        assert_eq!(Count::Exact(10).plus(Count::Exact(6)), Count::Exact(16));
        assert_eq!(ratio(Count::FewerThan5, Count::Exact(10)), None);
        assert_eq!(ratio(Count::Exact(5), Count::Exact(10)), Some(0.5));
        assert_eq!(ratio(Count::Exact(5), Count::Exact(0)), None);
    }
}
