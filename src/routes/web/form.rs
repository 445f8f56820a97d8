//! Posted page forms: the one extractor that gives the signed-in visitor and a CSRF-checked,
//! typed form (one struct per form), and the one way back after a form: a redirect to the
//! page with a notice (`?da=…`), whose texts live in one table here.
//!
//! The order of the checks is the pages' since the first form: a body that is not a form
//! (wrong type, too large) is refused first (`FormConfig`: 422 or 413), then a visitor who is
//! not signed in is sent to sign in, then the CSRF token is checked (403), and only then are
//! the fields read into the struct. A name posted more than once fills a `Vec` field with
//! every value (checkbox lists); any other field takes the last value, as a map of the posted
//! pairs always did.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor as DeVisitor};

use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;

use super::session::{CSRF_FIELD, Visitor};
use super::{PageError, see_other};

/// A form posted by a signed-in visitor who passes the gate `G`, its CSRF token checked, its
/// fields read into `T`.
#[derive(Debug)]
pub struct SignedInForm<T, G = Anyone> {
    /// The visitor (for the page's frame when the form is shown again).
    pub visitor: Visitor,
    /// Who is signed in.
    pub me: Identity,
    /// The posted fields.
    pub form: T,
    gate: PhantomData<G>,
}

/// Who may post a form at all, asked after signing in and before the CSRF token (a page's
/// area gate: see `domain::permissions::may_enter`).
pub trait Gate {
    /// Lets `me` through, or says why not.
    fn check(me: &Identity) -> Result<(), PageError>;
}

/// No gate beyond signing in: the service decides.
#[derive(Debug)]
pub struct Anyone;

impl<T, G> SignedInForm<T, G> {
    /// The visitor, who is signed in, and the posted fields.
    pub fn into_parts(self) -> (Visitor, Identity, T) {
        (self.visitor, self.me, self.form)
    }
}

impl Gate for Anyone {
    fn check(_: &Identity) -> Result<(), PageError> {
        Ok(())
    }
}

/// A form anyone may post (signing in, a forgotten password), its CSRF token checked.
#[derive(Debug)]
pub struct CheckedForm<T> {
    /// The visitor, signed in or not.
    pub visitor: Visitor,
    /// The posted fields.
    pub form: T,
}

type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

/// The visitor and the posted pairs, as the extractors `Visitor` and `web::Form` give them
/// (so a malformed body answers what `FormConfig` says).
fn visitor_and_pairs(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Extracting<(Visitor, Vec<(String, String)>)> {
    let visitor = Visitor::from_request(req, payload);
    let pairs = web::Form::<Vec<(String, String)>>::from_request(req, payload);
    Box::pin(async move {
        let visitor = visitor.await?;
        let pairs = pairs.await?.into_inner();
        Ok((visitor, pairs))
    })
}

impl<T: DeserializeOwned + 'static, G: Gate + 'static> FromRequest for SignedInForm<T, G> {
    type Error = actix_web::Error;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let both = visitor_and_pairs(req, payload);
        Box::pin(async move {
            let (visitor, pairs) = both.await?;
            let me = visitor.require()?.clone();
            G::check(&me)?;
            let form = checked(&visitor, pairs)?;
            Ok(Self {
                visitor,
                me,
                form,
                gate: PhantomData,
            })
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CheckedForm<T> {
    type Error = actix_web::Error;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let both = visitor_and_pairs(req, payload);
        Box::pin(async move {
            let (visitor, pairs) = both.await?;
            let form = checked(&visitor, pairs)?;
            Ok(Self { visitor, form })
        })
    }
}

/// Checks the echoed CSRF token (the last one posted), then reads the other fields into `T`.
fn checked<T: DeserializeOwned>(
    visitor: &Visitor,
    pairs: Vec<(String, String)>,
) -> Result<T, PageError> {
    let echoed = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == CSRF_FIELD)
        .map_or("", |(_, v)| v.as_str());
    visitor.check_csrf(echoed)?;
    from_pairs(pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD)).map_err(|e| {
        tracing::debug!(error = %e, "a posted form does not fit its fields");
        PageError::App(
            AppError::new(ErrorCode::ValidationFailed)
                .with_message("Biểu mẫu gửi lên không đúng định dạng."),
        )
    })
}

/// Reads posted `(name, value)` pairs into `T`: a `Vec` field takes every value of its name,
/// any other field the last one; names `T` does not have are ignored.
pub fn from_pairs<T: DeserializeOwned>(
    pairs: impl IntoIterator<Item = (String, String)>,
) -> Result<T, DeError> {
    let mut fields: Vec<(String, Values)> = Vec::new();
    for (k, v) in pairs {
        match fields.iter_mut().find(|(name, _)| *name == k) {
            Some((_, values)) => values.0.push(v),
            None => fields.push((k, Values(vec![v]))),
        }
    }
    T::deserialize(MapDeserializer::new(fields.into_iter()))
}

/// The fields a form has no name for in advance (one per row of a table: `value_{id}`), in
/// the order they were posted (a repeated name once, with its last value); for
/// `#[serde(flatten)]`.
#[derive(Debug, Default)]
pub struct Rows(pub Vec<(String, String)>);

impl Rows {
    /// The value of `name` ("" when absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Rows {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Collect;
        impl<'de> DeVisitor<'de> for Collect {
            type Value = Rows;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("form fields")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Rows, A::Error> {
                let mut rows = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    rows.push(entry);
                }
                Ok(Rows(rows))
            }
        }
        deserializer.deserialize_map(Collect)
    }
}

/// Every value posted under one name, in order.
struct Values(Vec<String>);

impl Values {
    fn last(self) -> String {
        self.0.into_iter().next_back().unwrap_or_default()
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Values {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_last {
    ($($method:ident => $visit:ident: $ty:ty,)*) => {
        $(
            fn $method<V: DeVisitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                let text = self.last();
                let value: $ty = text
                    .trim()
                    .parse()
                    .map_err(|_| de::Error::invalid_value(de::Unexpected::Str(&text), &visitor))?;
                visitor.$visit(value)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Values {
    type Error = DeError;

    fn deserialize_any<V: DeVisitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_string(self.last())
    }

    fn deserialize_seq<V: DeVisitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(SeqDeserializer::new(self.0.into_iter()))
    }

    fn deserialize_option<V: DeVisitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    parse_last! {
        deserialize_bool => visit_bool: bool,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u8 u16 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// A form of nothing but its CSRF token (a button).
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoFields {}

/// The way back to a page after its form did what it asked: `base?da=done#anchor`, where
/// the page shows `notice(done)`.
pub fn back(base: &str, done: &str, anchor: &str) -> HttpResponse {
    see_other(&format!("{base}?da={done}#{anchor}"))
}

/// Answers a form after its service call: back to the page (`(base, done, anchor)`, see
/// [`back`]) with its notice when the call succeeded, or `again(e)`: the same page again
/// with each problem beside its field (or the error page, for what no field explains).
pub async fn answer<T, Fut>(
    result: Result<T, AppError>,
    (base, done, anchor): (&str, &str, &str),
    again: impl FnOnce(AppError) -> Fut,
) -> Result<HttpResponse, PageError>
where
    Fut: Future<Output = Result<HttpResponse, PageError>>,
{
    match result {
        Ok(_) => Ok(back(base, done, anchor)),
        Err(e) => again(e).await,
    }
}

/// The page a `?da=…` came back to, for the notice's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// A union's or a member's administration page.
    Organisation,
    /// A program's administration page.
    Program,
    /// A program's review set-up (every change reads "saved").
    ReviewSetup,
    /// The reviewers' and chairs' pages, with how many were assigned or published.
    Review(i64),
}

/// The notice of what was just done, shown at the top of the page: `("ok", text)`.
pub fn notice(page: Done, done: Option<&str>) -> Option<(&'static str, String)> {
    let done = done?;
    let text = match (page, done) {
        (Done::Organisation, "tao") => "Đã thêm đơn vị cấp dưới.",
        (Done::Organisation, "chuyen") => "Đã chuyển đơn vị.",
        (Done::Organisation, "ngung") => "Đã ngừng hoạt động đơn vị.",
        (Done::Organisation, "kich-hoat") => "Đơn vị hoạt động trở lại.",
        (Done::Organisation, "thu-truong") => "Đã ghi thủ trưởng đơn vị.",
        (Done::Organisation, "moi") => "Đã gửi lời mời kích hoạt tài khoản qua email.",
        (Done::Organisation, "khoa") => "Đã khoá tài khoản: người này không đăng nhập được nữa.",
        (Done::Organisation, "mo-khoa") => "Đã mở khoá tài khoản.",
        (Done::Organisation, "dang-xuat") => "Đã đăng xuất người này khỏi mọi thiết bị.",
        (Done::Organisation, "an-danh") => {
            "Đã ẩn danh hoá: thông tin nhận dạng đã bị xoá vĩnh viễn."
        }
        (Done::Organisation, "cap-quyen") => "Đã cấp vai trò.",
        (Done::Organisation, "thu-hoi") => "Đã thu hồi vai trò.",
        (Done::Organisation, "tao-doan-vien") => "Đã tạo tài khoản đoàn viên.",
        (Done::Program, "tao") => {
            "Đã tạo chương trình (đang chuẩn bị). Hoàn thành danh mục bên dưới rồi mở chương trình."
        }
        (Done::Program, "mo") => {
            "Đã mở chương trình: đoàn viên trong phạm vi đã có thể nộp sáng kiến trong các đợt."
        }
        (Done::Program, "dong") => {
            "Đã kết thúc nhận sáng kiến. Việc xét duyệt và tính chỉ tiêu vẫn tiếp tục."
        }
        (Done::Program, "luu-tru") => "Đã lưu trữ chương trình.",
        (Done::Organisation | Done::Program | Done::ReviewSetup, _) => "Đã lưu thay đổi.",
        (Done::Review(n), _) => return review_notice(done, n),
    };
    Some(("ok", text.to_owned()))
}

fn review_notice(done: &str, n: i64) -> Option<(&'static str, String)> {
    let text = match done {
        "cham" => "Đã lưu phiếu chấm của bạn.".to_owned(),
        "quyet-dinh" => "Đã ghi quyết định.".to_owned(),
        "cho-cong-bo" => "Đã ghi quyết định; quyết định chờ chủ tịch hội đồng công bố.".to_owned(),
        "xung-dot" => {
            "Đã ghi nhận xung đột lợi ích; sáng kiến được giao cho thành viên khác.".to_owned()
        }
        "rut" => "Đã rút quyết định chờ công bố; sáng kiến được xét tiếp.".to_owned(),
        "phan-cong" => format!("Đã phân công {n} sáng kiến."),
        "cong-bo" => format!("Đã công bố {n} quyết định; tác giả được thông báo kết quả."),
        _ => return None,
    };
    Some(("ok", text))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::from_pairs;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(default)]
        name: String,
        #[serde(default)]
        ids: Vec<String>,
        #[serde(default)]
        count: Option<i64>,
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_repeated_name_fills_a_list_and_a_single_field_takes_the_last_value() {
        let s: Sample = from_pairs(pairs(&[
            ("ids", "1"),
            ("name", "a"),
            ("ids", "2"),
            ("name", "b"),
            ("other", "x"),
        ]))
        .expect("parses");
        assert_eq!(
            s,
            Sample {
                name: "b".into(),
                ids: vec!["1".into(), "2".into()],
                count: None,
            }
        );
    }

    #[derive(Debug, Deserialize)]
    struct WithRows {
        #[serde(default)]
        name: String,
        #[serde(flatten)]
        rows: super::Rows,
    }

    #[test]
    fn rows_keep_their_posted_order() {
        let s: WithRows = from_pairs(pairs(&[
            ("kind_10", "a"),
            ("name", "n"),
            ("kind_2", "b"),
            ("kind_10", "c"),
        ]))
        .expect("parses");
        assert_eq!(s.name, "n");
        assert_eq!(
            s.rows.0,
            vec![
                ("kind_10".into(), "c".into()),
                ("kind_2".into(), "b".into())
            ]
        );
        assert_eq!(s.rows.get("kind_2"), Some("b"));
    }

    #[test]
    fn absent_fields_take_their_default_and_numbers_parse() {
        let s: Sample = from_pairs(pairs(&[("count", " 7 ")])).expect("parses");
        assert_eq!(s.count, Some(7));
        assert!(s.name.is_empty() && s.ids.is_empty());
        assert!(from_pairs::<Sample>(pairs(&[("count", "bảy")])).is_err());
    }
}
