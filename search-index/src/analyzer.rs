//! The tantivy analyzer that indexes Vietnamese text by folded syllables (diacritics removed,
//! đ → d, legacy encodings repaired), and the one function that registers it.

use tantivy::Index;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::normalize::normalize;

/// Name under which the folding analyzer is registered.
pub const VI_FOLD: &str = "vi_fold";

/// Tokenizer emitting the folded key of every normalised token, with byte offsets into the
/// original text (so snippets highlight the text as written).
#[derive(Debug, Clone, Default)]
pub struct ViFoldTokenizer;

/// Token stream of [`ViFoldTokenizer`].
pub struct ViFoldTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for ViFoldTokenizer {
    type TokenStream<'a> = ViFoldTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ViFoldTokenStream {
        let tokens = normalize(text)
            .tokens
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.byte_range.start,
                offset_to: t.byte_range.end,
                position,
                text: t.folded,
                position_length: 1,
            })
            .collect();
        ViFoldTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for ViFoldTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.next.saturating_sub(1);
        &mut self.tokens[i]
    }
}

/// The folding analyzer.
pub fn vi_fold_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ViFoldTokenizer).build()
}

/// Registers every analyzer the schema refers to. Call it on every opened index.
pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(VI_FOLD, vi_fold_analyzer());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_analyzer_folds_and_keeps_offsets() {
        let index = Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register_analyzers(&index);
        let mut analyzer = index.tokenizers().get(VI_FOLD).unwrap();
        let text = "Sáng kiến CẢI TIẾN,\nS¸ng kiÕn";
        let mut stream = analyzer.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((t.text.clone(), text[t.offset_from..t.offset_to].to_string()));
        }
        assert_eq!(seen[0], ("sang".into(), "Sáng".into()));
        assert_eq!(seen[3], ("tien".into(), "TIẾN".into()));
        assert_eq!(seen[5], ("kien".into(), "kiÕn".into()));
    }
}
