//! A small namespace-aware element tree over quick-xml that refuses what a
//! SCORM manifest never needs (DTDs, processing instructions) and bounds
//! depth and size.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// An element with resolved namespace.
#[derive(Debug, Default, Clone)]
pub(crate) struct Element {
    pub ns: String,
    pub name: String,
    /// (namespace, local name, value)
    pub attrs: Vec<(String, String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(ns, n, _)| ns.is_empty() && n == local)
            .map(|(_, _, v)| v.as_str())
    }

    pub fn attr_ns(&self, ns_contains: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(ns, n, _)| ns.contains(ns_contains) && n == local)
            .map(|(_, _, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Most nested elements a manifest may have: real ones nest a few levels of
/// `<item>`s; a deeper tree is hostile or broken.
pub(crate) const MAX_DEPTH: usize = 128;
/// Most elements and attributes, counted together, a manifest may have (a
/// 20,000-file package lists about that many `<file>`s, each with an
/// `href`); bounds the memory of the tree.
pub(crate) const MAX_ELEMENTS: usize = 250_000;
/// Most attributes one element may have (namespace declarations included).
/// The XML parser checks each new attribute against the earlier ones, so an
/// element with 700,000 attributes would take hours.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

/// What kind of problem stopped the parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseErrorKind {
    /// A `<!DOCTYPE>`: SCORM manifests never need one, and a DTD can load files.
    Doctype,
    /// A processing instruction other than the XML declaration.
    ProcessingInstruction,
    /// The XML declaration names an encoding other than UTF-8.
    Encoding,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More elements and attributes than [`MAX_ELEMENTS`], or one element
    /// with more than [`MAX_ATTRIBUTES`].
    TooManyElements,
    /// Not well-formed.
    Syntax,
}

/// Why a document could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub line: usize,
    pub kind: ParseErrorKind,
    pub message: String,
}

/// Parses a document into its root element.
///
/// Refuses, at the first sight and before building anything from the rest:
/// any `<!DOCTYPE>`, any processing instruction other than a leading XML
/// declaration, a declared encoding other than UTF-8, nesting deeper than
/// [`MAX_DEPTH`], more than [`MAX_ELEMENTS`] elements and attributes, and an
/// element with more than [`MAX_ATTRIBUTES`] attributes. Entity references
/// other than the five predefined ones and character references are errors.
pub(crate) fn parse(src: &str) -> Result<Element, ParseError> {
    let mut reader = NsReader::from_str(src);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let mut first = true;
    // The line of the first non-blank character at or after `pos`.
    let line_of = |pos: u64| {
        let pos = (pos as usize).min(src.len());
        let rest = &src[pos..];
        let start = pos + (rest.len() - rest.trim_start().len());
        src[..start].matches('\n').count() + 1
    };
    let err = |pos: u64, kind: ParseErrorKind, message: String| ParseError {
        line: line_of(pos),
        kind,
        message,
    };
    let make = |reader: &NsReader<&[u8]>,
                e: &quick_xml::events::BytesStart<'_>|
     -> Result<Element, String> {
        let (ns, local) = reader.resolve_element(e.name());
        let ns = match ns {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
            ResolveResult::Unknown(p) => {
                return Err(format!(
                    "unknown namespace prefix `{}`",
                    String::from_utf8_lossy(&p)
                ))
            }
            ResolveResult::Unbound => String::new(),
        };
        let mut el = Element {
            ns,
            name: String::from_utf8_lossy(local.as_ref()).into_owned(),
            ..Default::default()
        };
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let key = a.key;
            if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
                continue;
            }
            let (ans, alocal) = reader.resolve_attribute(key);
            let ans = match ans {
                ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                ResolveResult::Unknown(p) => {
                    let p = String::from_utf8_lossy(&p).into_owned();
                    if p == "xml" {
                        XML_NS.to_string()
                    } else {
                        return Err(format!("unknown namespace prefix `{p}`"));
                    }
                }
                ResolveResult::Unbound => String::new(),
            };
            let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
            el.attrs.push((
                ans,
                String::from_utf8_lossy(alocal.as_ref()).into_owned(),
                value,
            ));
        }
        Ok(el)
    };
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            err(
                reader.buffer_position(),
                ParseErrorKind::Syntax,
                e.to_string(),
            )
        })?;
        let was_first = std::mem::replace(&mut first, false);
        match event {
            Event::DocType(_) => {
                return Err(err(
                    pos,
                    ParseErrorKind::Doctype,
                    "the manifest has a `<!DOCTYPE>`; a SCORM manifest never needs one, and a DTD can make an XML tool read files on the machine that checks it: remove it".into(),
                ))
            }
            Event::PI(pi) => {
                return Err(err(
                    pos,
                    ParseErrorKind::ProcessingInstruction,
                    format!(
                        "the manifest has the processing instruction `<?{}?>`; a SCORM manifest needs none besides the XML declaration: remove it",
                        String::from_utf8_lossy(&pi).chars().take(60).collect::<String>()
                    ),
                ))
            }
            Event::Decl(d) => {
                if !was_first {
                    return Err(err(
                        pos,
                        ParseErrorKind::ProcessingInstruction,
                        "an XML declaration `<?xml …?>` may only stand at the very start of the manifest".into(),
                    ));
                }
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| err(pos, ParseErrorKind::Syntax, e.to_string()))?;
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(err(
                            pos,
                            ParseErrorKind::Encoding,
                            format!("the XML declaration says `encoding=\"{enc}\"`; save the manifest as UTF-8 and declare `encoding=\"UTF-8\"`"),
                        ));
                    }
                }
            }
            Event::Start(_) | Event::Empty(_) => {
                let (Event::Start(ref e) | Event::Empty(ref e)) = event else {
                    unreachable!()
                };
                // Counted without the parser's duplicate check, which is quadratic.
                let attributes = e.attributes().with_checks(false).count();
                if attributes > MAX_ATTRIBUTES {
                    return Err(err(
                        pos,
                        ParseErrorKind::TooManyElements,
                        format!("an element has {attributes} attributes; the limit is {MAX_ATTRIBUTES}"),
                    ));
                }
                elements += 1 + attributes;
                if elements > MAX_ELEMENTS {
                    return Err(err(
                        pos,
                        ParseErrorKind::TooManyElements,
                        format!("the manifest has more than {MAX_ELEMENTS} elements and attributes; refusing it"),
                    ));
                }
                let el = make(&reader, e).map_err(|m| err(pos, ParseErrorKind::Syntax, m))?;
                if matches!(event, Event::Start(_)) {
                    if stack.len() >= MAX_DEPTH {
                        return Err(err(
                            pos,
                            ParseErrorKind::TooDeep,
                            format!("elements nest more than {MAX_DEPTH} deep; refusing the manifest (real ones nest a few `<item>`s)"),
                        ));
                    }
                    stack.push(el);
                } else {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => root = Some(el),
                    }
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| {
                    err(pos, ParseErrorKind::Syntax, "unexpected closing tag".into())
                })?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .unescape()
                        .map_err(|e| err(pos, ParseErrorKind::Syntax, e.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(ParseError {
            line: src.matches('\n').count() + 1,
            kind: ParseErrorKind::Syntax,
            message: format!(
                "`<{}>` is never closed",
                stack.last().map(|e| e.name.as_str()).unwrap_or("")
            ),
        });
    }
    root.ok_or(ParseError {
        line: 1,
        kind: ParseErrorKind::Syntax,
        message: "the document has no root element".to_string(),
    })
}

/// The XML namespace (`xml:` prefix).
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[cfg(test)]
mod tests {
    use super::*;

    /// Found while hardening: one element with 700,000 attributes (a 7.6 MB
    /// manifest, under the 8 MiB bound) kept the parser busy for minutes,
    /// because each attribute is checked against the earlier ones. 100,000
    /// is enough to tell quadratic (billions of comparisons) from linear.
    #[test]
    fn an_element_with_100_000_attributes_is_refused_at_once() {
        let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"\"")).collect();
        let src = format!("<manifest{attrs}/>");
        let start = std::time::Instant::now();
        let e = parse(&src).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooManyElements);
        assert!(e.message.contains("100000 attributes"), "{}", e.message);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn many_small_elements_are_counted_with_their_attributes() {
        let src = format!("<m>{}</m>", "<f href=\"x\"/>".repeat(130_000));
        let e = parse(&src).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooManyElements);
        let ok = format!("<m>{}</m>", "<f href=\"x\"/>".repeat(100_000));
        assert_eq!(parse(&ok).unwrap().children.len(), 100_000);
    }

    #[test]
    fn doctype_and_processing_instructions_are_refused_where_they_are() {
        let e =
            parse("<?xml version=\"1.0\"?>\n\n<!DOCTYPE m [<!ENTITY x \"y\">]>\n<m/>").unwrap_err();
        assert_eq!((e.kind, e.line), (ParseErrorKind::Doctype, 3));
        let e = parse("<m>\n<?php echo 1 ?>\n</m>").unwrap_err();
        assert_eq!((e.kind, e.line), (ParseErrorKind::ProcessingInstruction, 2));
        let e = parse("<m>&ext;</m>").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Syntax);
    }
}
