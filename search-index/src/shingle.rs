//! Folded-syllable hashing, boilerplate masking (official letterheads and stock phrases),
//! shingles, the exact fingerprint and the bottom-k MinHash similarity sketch.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::normalize::{EncodingReport, Token, normalize};

/// Stable 64-bit hash of a string (FNV-1a, then a SplitMix64 finaliser). Stored in the
/// index: never change it without bumping `NORMALIZER_VERSION`.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// SplitMix64 finaliser.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hash of `k` consecutive token hashes.
pub fn combine(hashes: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for x in hashes {
        h = mix(h.rotate_left(17) ^ *x);
    }
    h
}

/// Syllables per shingle for the sketch.
pub const SKETCH_SHINGLE: usize = 3;
/// Number of values kept in the bottom-k sketch.
pub const SKETCH_SIZE: usize = 40;

/// Built-in boilerplate: official letterheads, form headings and stock phrases that every
/// initiative may contain and that must never make two texts look alike.
pub const BOILERPLATE: &[&str] = &[
    "cộng hoà xã hội chủ nghĩa việt nam",
    "độc lập tự do hạnh phúc",
    "tổng liên đoàn lao động việt nam",
    "liên đoàn lao động tỉnh",
    "ban chấp hành công đoàn",
    "đơn đề nghị công nhận sáng kiến",
    "báo cáo mô tả sáng kiến",
    "phiếu đăng ký sáng kiến",
    "kính gửi ban tổ chức",
    "kính gửi hội đồng sáng kiến",
    "tên sáng kiến",
    "tác giả sáng kiến",
    "lĩnh vực áp dụng",
    "hiện trạng",
    "nội dung giải pháp",
    "phạm vi áp dụng",
    "hiệu quả và lợi ích",
    "hiệu quả lợi ích",
    "nâng cao năng suất lao động",
    "nâng cao hiệu quả công việc",
    "tôi xin cam đoan mọi thông tin nêu trong đơn là trung thực đúng sự thật",
    "và hoàn toàn chịu trách nhiệm trước pháp luật",
    "chương trình 1 triệu sáng kiến",
    "nỗ lực vượt khó sáng tạo quyết tâm chiến thắng đại dịch covid 19",
    "người viết đơn",
    "xác nhận của thủ trưởng đơn vị",
];

struct Boilerplate {
    /// First two token hashes → phrases (as token hashes) starting with them.
    by_prefix: HashMap<(u64, u64), Vec<Vec<u64>>>,
}

static BOILER: LazyLock<Boilerplate> = LazyLock::new(|| {
    let mut by_prefix: HashMap<(u64, u64), Vec<Vec<u64>>> = HashMap::new();
    for phrase in BOILERPLATE {
        let hs: Vec<u64> = normalize(phrase)
            .tokens
            .iter()
            .map(|t| hash_str(&t.folded))
            .collect();
        if hs.len() >= 2 {
            by_prefix.entry((hs[0], hs[1])).or_default().push(hs);
        }
    }
    Boilerplate { by_prefix }
});

/// Marks the tokens that belong to a boilerplate phrase (true = ignore).
pub fn boilerplate_mask(hashes: &[u64]) -> Vec<bool> {
    let mut mask = vec![false; hashes.len()];
    let b = &*BOILER;
    for i in 0..hashes.len().saturating_sub(1) {
        if let Some(phrases) = b.by_prefix.get(&(hashes[i], hashes[i + 1])) {
            for p in phrases {
                if hashes.len() >= i + p.len() && hashes[i..i + p.len()] == p[..] {
                    mask[i..i + p.len()].iter_mut().for_each(|m| *m = true);
                }
            }
        }
    }
    mask
}

/// A normalised text ready for comparison.
#[derive(Debug, Clone)]
pub struct Analyzed {
    /// Tokens with offsets into the original text.
    pub tokens: Vec<Token>,
    /// Hash of each token's folded key.
    pub hashes: Vec<u64>,
    /// Tokens inside boilerplate (ignored for matching).
    pub mask: Vec<bool>,
    /// Detected encoding and repairs.
    pub report: EncodingReport,
}

impl Analyzed {
    /// Normalises and hashes a text.
    pub fn new(text: &str) -> Analyzed {
        let n = normalize(text);
        let hashes: Vec<u64> = n.tokens.iter().map(|t| hash_str(&t.folded)).collect();
        let mask = boilerplate_mask(&hashes);
        Analyzed {
            tokens: n.tokens,
            hashes,
            mask,
            report: n.report,
        }
    }

    /// Number of tokens that are not boilerplate.
    pub fn content_len(&self) -> usize {
        self.mask.iter().filter(|m| !**m).count()
    }

    /// Hashes of the `k`-shingles that contain no boilerplate token, with start positions.
    pub fn shingles(&self, k: usize) -> Vec<(u64, usize)> {
        let n = self.hashes.len();
        let mut out = Vec::with_capacity(n);
        if n < k {
            if n > 0 && !self.mask.iter().any(|m| *m) {
                out.push((combine(&self.hashes), 0));
            }
            return out;
        }
        for i in 0..=n - k {
            if self.mask[i..i + k].iter().any(|m| *m) {
                continue;
            }
            out.push((combine(&self.hashes[i..i + k]), i));
        }
        out
    }

    /// Exact fingerprint of the folded syllable sequence, boilerplate left out.
    pub fn fingerprint(&self) -> u64 {
        let content: Vec<u64> = self
            .hashes
            .iter()
            .zip(&self.mask)
            .filter(|(_, m)| !**m)
            .map(|(h, _)| *h)
            .collect();
        combine(&content)
    }

    /// Bottom-k MinHash sketch of the folded 3-syllable shingles.
    pub fn sketch(&self) -> Vec<u64> {
        let mut hs: Vec<u64> = self
            .shingles(SKETCH_SHINGLE)
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        hs.sort_unstable();
        hs.dedup();
        hs.truncate(SKETCH_SIZE);
        hs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letterhead_is_masked_and_fingerprint_ignores_it() {
        let body = "Giải pháp số hoá hồ sơ lưu trữ tại Kho bạc Nhà nước.";
        let wrapped =
            format!("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n{body}");
        let a = Analyzed::new(body);
        let b = Analyzed::new(&wrapped);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.sketch(), b.sketch());
        assert!(b.mask[..12].iter().all(|m| *m));
    }

    #[test]
    fn unaccented_copy_has_the_same_sketch() {
        let a = Analyzed::new("Sáng kiến cải tiến quy trình tiếp nhận hồ sơ điện tử");
        let b = Analyzed::new("sang kien cai tien quy trinh tiep nhan ho so dien tu");
        assert_eq!(a.sketch(), b.sketch());
        assert_eq!(a.fingerprint(), b.fingerprint());
    }
}
