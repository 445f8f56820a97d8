//! The search normaliser (`search_index::normalize`): legacy-encoding repair, NFC, folding.
//! Token offsets point into the input; folding is idempotent; repaired text is NFC.
#![no_main]

use libfuzzer_sys::fuzz_target;
use search_index::normalize::{normalize, repair_text};
use search_index::syllable::fold;
use unicode_normalization::is_nfc;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let n = normalize(input);
    let mut last_start = 0;
    for t in &n.tokens {
        assert!(
            !t.text.is_empty() && !t.folded.is_empty(),
            "empty token {t:?}"
        );
        let (b, c) = (&t.byte_range, &t.char_range);
        assert!(
            b.start < b.end && b.end <= input.len(),
            "{t:?} outside {input:?}"
        );
        assert!(
            input.is_char_boundary(b.start) && input.is_char_boundary(b.end),
            "{t:?}"
        );
        assert_eq!(input[..b.start].chars().count(), c.start, "{t:?}");
        assert_eq!(input[b.clone()].chars().count(), c.len(), "{t:?}");
        assert!(b.start >= last_start, "tokens out of order: {t:?}");
        last_start = b.start;
        assert_eq!(
            fold(&t.folded),
            t.folded,
            "folding is not idempotent: {t:?}"
        );
    }
    let (repaired, _) = repair_text(input);
    assert!(is_nfc(&repaired), "repaired text is not NFC: {repaired:?}");
});
