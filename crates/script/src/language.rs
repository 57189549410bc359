//! Is this Welsh text really English? A Welsh sentence with three or more
//! common English words that are not Welsh words is almost always English
//! left untranslated (or a Welsh script that is a copy of the English one).

/// Common English words that are not also Welsh words.
const ENGLISH: [&str; 24] = [
    "the", "and", "you", "your", "is", "are", "with", "that", "this", "for", "of", "to", "it",
    "not", "be", "have", "what", "should", "when", "will", "can", "from", "they", "or",
];

/// How many English-only words a sentence has before it counts as English.
pub(crate) const THRESHOLD: usize = 3;

/// The number of common English words in `sentence`.
pub(crate) fn english_words(sentence: &str) -> usize {
    sentence
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| ENGLISH.contains(&w.to_lowercase().as_str()))
        .count()
}

/// The first sentence of `text` that looks English: its offset in characters
/// from the start of `text`, its length in characters and its number of
/// English words.
pub(crate) fn first_english_sentence(text: &str) -> Option<(usize, usize, usize)> {
    let mut offset = 0usize;
    for sentence in text.split_inclusive(['.', '?', '!']) {
        let len = sentence.chars().count();
        let n = english_words(sentence);
        if n >= THRESHOLD {
            let lead = sentence.chars().take_while(|c| c.is_whitespace()).count();
            return Some((offset + lead, len - lead, n));
        }
        offset += len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_caught_and_welsh_is_not() {
        assert!(english_words("Report it to the service desk and tell your manager") >= THRESHOLD);
        assert!(
            english_words("Rhowch wybod i ddesg gwasanaeth TG eich sefydliad ar unwaith")
                < THRESHOLD
        );
    }

    #[test]
    fn the_english_sentence_is_located() {
        let t = "Mae hyn yn bwysig. Tell the team and your manager. Diolch.";
        assert_eq!(first_english_sentence(t), Some((19, 31, 3)));
        assert_eq!(first_english_sentence("Diolch yn fawr."), None);
    }
}
