//! Europe/London calendar arithmetic for reports.
//!
//! Rollups count by London *local* day ([`Day`]: days since 1970-01-01 in
//! London's calendar), so a week, month or quarter is a range of days and
//! buckets never need a time zone again. The only time-zone step is turning
//! an instant into its London day, which the database does with the
//! transition table written by migration 0002 (`tz_london`); the table is
//! generated from `chrono-tz` by [`london_offsets`] and a test checks that
//! the migration still matches it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::Serialize;

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;

/// A London calendar day, as days since 1970-01-01.
pub type Day = i64;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// The day number of a calendar date.
pub fn day_of(date: NaiveDate) -> Day {
    date.signed_duration_since(epoch()).num_days()
}

/// The calendar date of a day number.
pub fn date_of(day: Day) -> NaiveDate {
    epoch()
        .checked_add_signed(Duration::days(day))
        .unwrap_or_default()
}

/// London's UTC offset at an instant (Unix ms), in ms.
pub fn london_offset_ms(ms: i64) -> i64 {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => {
            i64::from(
                London
                    .offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ) * 1000
        }
        None => 0,
    }
}

/// The London day an instant (Unix ms) falls on.
pub fn london_day(ms: i64) -> Day {
    (ms + london_offset_ms(ms)).div_euclid(MS_PER_DAY)
}

/// The instant (Unix ms) a London day starts.
pub fn london_day_start_ms(day: Day) -> i64 {
    let guess = day * MS_PER_DAY;
    // Midnight is never inside a UK clock change (they happen at 01:00 UTC).
    guess - london_offset_ms(guess - london_offset_ms(guess))
}

/// Every change of London's UTC offset from 1970 to the end of `to_year`,
/// as `(start_ms, offset_ms)` rows, the first starting at 1970-01-01T00:00Z.
/// This is the content of the `tz_london` table.
pub fn london_offsets(to_year: i32) -> Vec<(i64, i64)> {
    let end = NaiveDate::from_ymd_opt(to_year + 1, 1, 1)
        .map(|d| day_of(d) * MS_PER_DAY)
        .unwrap_or(0);
    let hour = 3_600_000;
    let mut rows = vec![(0, london_offset_ms(0))];
    let mut t = 0;
    while t < end {
        let next = t + MS_PER_DAY;
        if london_offset_ms(next) != london_offset_ms(t) {
            // Find the hour the change happened.
            let mut h = t;
            while london_offset_ms(h + hour) == london_offset_ms(t) {
                h += hour;
            }
            rows.push((h + hour, london_offset_ms(h + hour)));
        }
        t = next;
    }
    rows
}

/// A reporting period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Monday to Sunday.
    Week,
    /// Calendar month.
    Month,
    /// Calendar quarter (January–March, …).
    Quarter,
}

impl Period {
    /// Parses `week`, `month` or `quarter`.
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            _ => None,
        }
    }

    /// The first day of the period holding `day`.
    pub fn start(self, day: Day) -> Day {
        let d = date_of(day);
        let first = match self {
            // 1970-01-01 was a Thursday.
            Period::Week => return day - (day + 3).rem_euclid(7),
            Period::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1),
            Period::Quarter => NaiveDate::from_ymd_opt(d.year(), (d.month0() / 3) * 3 + 1, 1),
        };
        first.map(day_of).unwrap_or(day)
    }

    /// The first day of the period after the one starting at `start`.
    pub fn next(self, start: Day) -> Day {
        let months = match self {
            Period::Week => return start + 7,
            Period::Month => 1,
            Period::Quarter => 3,
        };
        date_of(start)
            .checked_add_months(chrono::Months::new(months))
            .map(day_of)
            .unwrap_or(start + 31)
    }

    /// The starts of every period meeting `from..=to`.
    pub fn starts(self, from: Day, to: Day) -> Vec<Day> {
        let mut out = Vec::new();
        let mut s = self.start(from);
        while s <= to {
            out.push(s);
            s = self.next(s);
        }
        out
    }

    /// A stable label: `2026-W14` (ISO week), `2026-04`, `2026-Q2`.
    pub fn label(self, start: Day) -> String {
        let d = date_of(start);
        match self {
            Period::Week => {
                let w = d.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Month => format!("{}-{:02}", d.year(), d.month()),
            Period::Quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.timestamp_millis())
            .unwrap_or(i64::MIN)
    }

    fn day(s: &str) -> Day {
        day_of(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default())
    }

    #[test]
    fn london_days_follow_the_clock_change() {
        // Winter: London is UTC.
        assert_eq!(london_day(ms("2026-01-31T23:30:00Z")), day("2026-01-31"));
        // Summer: 23:30 UTC is 00:30 the next day in London.
        assert_eq!(london_day(ms("2026-06-30T23:30:00Z")), day("2026-07-01"));
        // Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
        assert_eq!(london_day(ms("2026-03-28T23:30:00Z")), day("2026-03-28"));
        assert_eq!(london_day(ms("2026-03-29T23:30:00Z")), day("2026-03-30"));
        // Back at 01:00 UTC on Sunday 25 October 2026.
        assert_eq!(london_day(ms("2026-10-24T23:30:00Z")), day("2026-10-25"));
        assert_eq!(london_day(ms("2026-10-25T23:30:00Z")), day("2026-10-25"));
        // Quarter boundary in summer time: 30 Sep 23:30 UTC is October.
        let d = london_day(ms("2026-09-30T23:30:00Z"));
        assert_eq!(Period::Quarter.label(Period::Quarter.start(d)), "2026-Q4");
        assert_eq!(Period::Month.label(Period::Month.start(d)), "2026-10");
    }

    #[test]
    fn day_starts_are_local_midnight() {
        assert_eq!(
            london_day_start_ms(day("2026-07-01")),
            ms("2026-06-30T23:00:00Z")
        );
        assert_eq!(
            london_day_start_ms(day("2026-01-01")),
            ms("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            london_day_start_ms(day("2026-03-30")),
            ms("2026-03-29T23:00:00Z")
        );
        assert_eq!(
            london_day_start_ms(day("2026-03-29")),
            ms("2026-03-29T00:00:00Z")
        );
    }

    #[test]
    fn periods_bucket_and_label() {
        let d = day("2026-04-02"); // a Thursday
        assert_eq!(date_of(Period::Week.start(d)).to_string(), "2026-03-30");
        assert_eq!(Period::Week.label(Period::Week.start(d)), "2026-W14");
        assert_eq!(Period::Month.label(Period::Month.start(d)), "2026-04");
        assert_eq!(Period::Quarter.label(Period::Quarter.start(d)), "2026-Q2");
        let months = Period::Month.starts(day("2026-01-15"), day("2026-12-31"));
        assert_eq!(months.len(), 12);
        assert_eq!(
            Period::Quarter
                .starts(day("2026-01-01"), day("2026-12-31"))
                .len(),
            4
        );
        assert_eq!(
            Period::Week
                .starts(day("2026-01-05"), day("2026-01-11"))
                .len(),
            1
        );
        assert_eq!(Period::parse("fortnight"), None);
    }

    #[test]
    fn offsets_table_has_two_changes_a_year() {
        let rows = london_offsets(2030);
        let y2026: Vec<_> = rows
            .iter()
            .filter(|(t, _)| (ms("2026-01-01T00:00:00Z")..ms("2027-01-01T00:00:00Z")).contains(t))
            .collect();
        assert_eq!(
            y2026,
            vec![
                &(ms("2026-03-29T01:00:00Z"), 3_600_000),
                &(ms("2026-10-25T01:00:00Z"), 0)
            ]
        );
    }
}

#[cfg(test)]
mod migration_tests {
    use super::london_offsets;

    /// The `tz_london` rows as migration 0002 writes them.
    fn sql_values() -> String {
        london_offsets(2100)
            .iter()
            .map(|(t, o)| format!("({t},{o})"))
            .collect::<Vec<_>>()
            .chunks(6)
            .map(|c| c.join(","))
            .collect::<Vec<_>>()
            .join(",\n")
    }

    #[test]
    fn migration_offsets_match_chrono_tz() {
        let want = sql_values();
        for (name, sql) in [
            (
                "sqlite",
                include_str!("../../../migrations/sqlite/0002_reports.sql"),
            ),
            (
                "postgres",
                include_str!("../../../migrations/postgres/0002_reports.sql"),
            ),
        ] {
            assert!(
                sql.contains(&want),
                "migrations/{name}/0002_reports.sql: the tz_london rows differ from chrono-tz; \
                 they should read:\n{want}"
            );
        }
    }
}
