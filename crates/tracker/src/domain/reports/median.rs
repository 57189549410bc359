//! Medians from histograms. Rollups keep how many learners had each whole
//! score (0–100) and each whole number of minutes, so a median over any
//! grouping is a merge of histograms, exact to the bucket.

use std::collections::BTreeMap;

/// A histogram: bucket → how many.
pub type Histogram = BTreeMap<i64, u64>;

/// Adds `other` into `into`.
pub fn merge(into: &mut Histogram, other: &Histogram) {
    for (b, n) in other {
        *into.entry(*b).or_default() += n;
    }
}

/// The median bucket: the lower median for an even count, so the answer is
/// always a value somebody had. `None` for an empty histogram.
pub fn median(h: &Histogram) -> Option<i64> {
    let total: u64 = h.values().sum();
    if total == 0 {
        return None;
    }
    let target = total.div_ceil(2);
    let mut seen = 0;
    for (b, n) in h {
        seen += n;
        if seen >= target {
            return Some(*b);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[(i64, u64)]) -> Histogram {
        v.iter().copied().collect()
    }

    #[test]
    fn medians() {
        assert_eq!(median(&h(&[])), None);
        assert_eq!(median(&h(&[(70, 1)])), Some(70));
        // 60, 70, 80 → 70
        assert_eq!(median(&h(&[(60, 1), (70, 1), (80, 1)])), Some(70));
        // 60, 70, 80, 90 → lower median 70
        assert_eq!(median(&h(&[(60, 1), (70, 1), (80, 1), (90, 1)])), Some(70));
        // 50 ×3, 100 ×2 → 50
        assert_eq!(median(&h(&[(50, 3), (100, 2)])), Some(50));
        let mut a = h(&[(50, 1)]);
        merge(&mut a, &h(&[(100, 2), (50, 1)]));
        assert_eq!(a, h(&[(50, 2), (100, 2)]));
        assert_eq!(median(&a), Some(50));
    }
}
