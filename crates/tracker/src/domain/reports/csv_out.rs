//! CSV as a spreadsheet opens it: UTF-8 with a byte-order mark (so Excel
//! reads ŵ and ŷ correctly), CRLF line ends, and every cell that a
//! spreadsheet would run as a formula neutralised.

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell made safe against formula injection: a cell beginning with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, the
/// form spreadsheets show as text (OWASP's advice for CSV injection).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes a header and rows as CSV bytes with a BOM.
pub fn write<I, R, S>(header: &[&str], rows: I) -> Result<Vec<u8>, csv::Error>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(header.iter().map(|h| neutralise(h).into_owned()))?;
        for row in rows {
            let cells: Vec<String> = row
                .into_iter()
                .map(|c| neutralise(c.as_ref()).into_owned())
                .collect();
            w.write_record(&cells)?;
        }
        w.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_welsh_letters_and_no_formulas() {
        let bytes = write(
            &["organisation", "completed"],
            vec![
                vec!["Cyngor Sir Gâr ŵ ŷ", "7"],
                vec!["=HYPERLINK(\"http://x\")", "1"],
                vec!["+1", "-2"],
                vec!["@SUM(A1)", "\tx"],
                vec!["\rboo", "a,b"],
            ],
        )
        .unwrap_or_default();
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap_or_default();
        assert!(text.contains("Cyngor Sir Gâr ŵ ŷ"));
        // Read it back the way a spreadsheet would and look at every cell.
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut n = 0;
        for rec in r.records() {
            let rec = rec.unwrap_or_default();
            for cell in rec.iter() {
                n += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "formula-like cell {cell:?}"
                );
            }
        }
        assert_eq!(n, 12);
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("\"a,b\""));
        assert!(text.ends_with("\r\n"));
    }
}
