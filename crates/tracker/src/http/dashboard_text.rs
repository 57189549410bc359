//! The dashboard's interface strings, in English and Welsh.

use std::collections::BTreeMap;

const STRINGS: &[(&str, &str, &str)] = &[
    ("app", "Pecyn reports", "Adroddiadau Pecyn"),
    ("skip", "Skip to main content", "Neidio i'r prif gynnwys"),
    ("language", "Language", "Iaith"),
    ("other_language", "Cymraeg", "English"),
    ("sign_out", "Sign out", "Allgofnodi"),
    ("sign_in", "Sign in", "Mewngofnodi"),
    ("sign_in_title", "Sign in to the reports", "Mewngofnodi i'r adroddiadau"),
    ("key_label", "Reader or platform key", "Allwedd darllenydd neu blatfform"),
    ("key_hint", "The key your organisation was given, starting pct_.", "Yr allwedd a gafodd eich sefydliad, yn dechrau gyda pct_."),
    ("bad_key", "That key was not recognised, or may not read reports. Check it and try again.", "Nid oedd yr allwedd yn hysbys, neu ni chaiff ddarllen adroddiadau. Gwiriwch hi a rhoi cynnig arall arni."),
    ("bad_form", "The form had expired. Please try again.", "Roedd y ffurflen wedi dod i ben. Rhowch gynnig arall arni."),
    ("dashboard_title", "Uptake and funding", "Defnydd a chyllid"),
    ("range", "Dates", "Dyddiadau"),
    ("suppressed_note", "Figures of other organisations from 1 to 4 are shown as “fewer than 5”, and totals that include them count only the figures shown.", "Dangosir ffigurau sefydliadau eraill o 1 i 4 fel “llai na 5”, ac nid yw cyfansymiau sy'n eu cynnwys yn cyfrif ond y ffigurau a ddangosir."),
    ("bad_filter", "A filter was not valid, so the defaults are shown", "Nid oedd hidlydd yn ddilys, felly dangosir y rhagosodiadau"),
    ("filters", "Filters", "Hidlyddion"),
    ("from", "From", "O"),
    ("to", "To", "I"),
    ("all", "All", "Pob un"),
    ("apply", "Apply filters", "Defnyddio'r hidlyddion"),
    ("headlines", "Headline figures", "Prif ffigurau"),
    ("started", "Learners who started", "Dysgwyr a ddechreuodd"),
    ("completed", "Completions", "Cwblhadau"),
    ("passed", "Passes", "Wedi pasio"),
    ("pass_rate", "Pass rate", "Cyfradd pasio"),
    ("median_score", "Median score", "Sgôr ganolrifol"),
    ("welsh_share", "Completions in Welsh", "Cwblhadau yn Gymraeg"),
    ("accessible_share", "Accessible version used", "Defnydd o'r fersiwn hygyrch"),
    ("over_time", "Completions by month", "Cwblhadau fesul mis"),
    ("by_org", "Uptake by organisation", "Defnydd fesul sefydliad"),
    ("by_module", "Uptake by module", "Defnydd fesul modiwl"),
    ("chart_shows", "The chart shows", "Mae'r siart yn dangos"),
    ("table_beside", "The same figures are in the table below.", "Mae'r un ffigurau yn y tabl isod."),
    ("download_csv", "Download CSV", "Lawrlwytho CSV"),
    ("funding_title", "Co-funding", "Cyd-gyllido"),
    ("pot", "Pot", "Cronfa"),
    ("paid", "Paid", "Talwyd"),
    ("progress", "Progress to target", "Cynnydd tuag at y targed"),
    ("cost_per_completion", "Cost per completion", "Cost fesul cwblhad"),
    ("to_chase", "Subscribed, no uptake in these dates", "Wedi tanysgrifio, dim defnydd yn y dyddiadau hyn"),
    ("none", "None.", "Dim."),
    ("joined_title", "Who has joined", "Pwy sydd wedi ymuno"),
    ("joined_intro", "Organisations that take part in the campaign and agreed to be listed.", "Sefydliadau sy'n cymryd rhan yn yr ymgyrch ac a gytunodd i gael eu rhestru."),
    ("joined_caption", "Participating organisations by kind and region", "Sefydliadau sy'n cymryd rhan fesul math a rhanbarth"),
    ("none_yet", "No organisation is listed yet.", "Nid oes sefydliad wedi'i restru eto."),
    ("organisation", "Organisation", "Sefydliad"),
    ("kind", "Kind", "Math"),
    ("region", "Region", "Rhanbarth"),
    ("module", "Module", "Modiwl"),
    ("lang", "Language", "Iaith"),
    ("status", "Funding status", "Statws cyllid"),
    ("platform", "Platform", "Platfform"),
    ("en", "English", "Saesneg"),
    ("cy", "Welsh", "Cymraeg"),
];

/// The strings in one language, by key.
pub fn strings(welsh: bool) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(k, en, cy)| (*k, if welsh { *cy } else { *en }))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_string_has_both_languages() {
        for (k, en, cy) in super::STRINGS {
            assert!(!en.is_empty() && !cy.is_empty(), "{k}");
        }
        let keys: std::collections::BTreeSet<_> = super::STRINGS.iter().map(|s| s.0).collect();
        assert_eq!(keys.len(), super::STRINGS.len(), "duplicate key");
    }
}
