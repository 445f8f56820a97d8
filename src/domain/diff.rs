//! Two texts compared: the words changed between two versions, and the stretches of a text
//! that were found in another. Pure functions over strings, for the review's comparisons.

use serde::Serialize;

/// A stretch of text in a comparison: unchanged, inserted or deleted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DiffChunk {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    pub text: String,
}

/// The sections of an initiative compared version to version, with their Vietnamese labels.
pub const SECTIONS: [(&str, &str); 4] = [
    ("current_situation", "Hiện trạng"),
    ("solution", "Nội dung giải pháp"),
    ("scope", "Phạm vi áp dụng"),
    ("benefits", "Hiệu quả, lợi ích"),
];

/// The words of `new` against `old`, consecutive words of one kind joined into one chunk.
pub fn word_diff(old: &str, new: &str) -> Vec<DiffChunk> {
    let diff = similar::TextDiff::from_words(old, new);
    let mut out: Vec<DiffChunk> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => "equal",
            similar::ChangeTag::Insert => "insert",
            similar::ChangeTag::Delete => "delete",
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(DiffChunk {
                op,
                text: change.value().to_owned(),
            }),
        }
    }
    out
}

/// A stretch of an initiative's text, copied (found in the other one) or not.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub text: String,
    pub copied: bool,
}

/// `text` cut into copied and not copied stretches; `ranges` are character ranges (they may
/// overlap, be unsorted or run past the end).
pub fn segments(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut sorted: Vec<std::ops::Range<usize>> = ranges
        .iter()
        .map(|r| r.start.min(chars.len())..r.end.min(chars.len()))
        .filter(|r| r.start < r.end)
        .collect();
    sorted.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in sorted {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for r in merged {
        if r.start > at {
            out.push(Segment {
                text: chars[at..r.start].iter().collect(),
                copied: false,
            });
        }
        out.push(Segment {
            text: chars[r.clone()].iter().collect(),
            copied: true,
        });
        at = r.end;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            copied: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_diff_joins_runs_of_one_kind() {
        let d = word_diff("một hai ba", "một bốn ba");
        let ops: Vec<(&str, &str)> = d.iter().map(|c| (c.op, c.text.as_str())).collect();
        assert_eq!(
            ops,
            [
                ("equal", "một "),
                ("delete", "hai"),
                ("insert", "bốn"),
                ("equal", " ba")
            ]
        );
    }

    #[test]
    fn segments_merge_overlaps_and_clip_to_the_text() {
        let s = segments("abcdefgh", &[5..20, 1..3, 2..4]);
        let got: Vec<(&str, bool)> = s.iter().map(|x| (x.text.as_str(), x.copied)).collect();
        assert_eq!(
            got,
            [("a", false), ("bcd", true), ("e", false), ("fgh", true)]
        );
        assert!(segments("", &[0..3, 1..2]).is_empty());
    }

    #[test]
    fn segments_count_characters_not_bytes() {
        let s = segments("sáng kiến", &[0..2, 2..4]);
        assert_eq!(s[0].text, "sáng");
        assert!(s[0].copied);
    }
}
