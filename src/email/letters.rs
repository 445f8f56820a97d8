//! What each email says: a [`Notice`] is the data captured when the email is written to the
//! outbox (kept as its JSON payload); at delivery it becomes a [`Letter`] (subject, plain text
//! and HTML from the compiled templates `templates/email/letter.{txt,html}`) with links back
//! to the pages, signed links minted at that moment.

use askama::Template;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::auth::{LinkPurpose, TokenKeys};
use crate::error::AppError;

/// How long a password-reset link works, in seconds.
pub const RESET_TTL_SECONDS: i64 = 60 * 60;
/// How long an invitation link works, in seconds.
pub const INVITATION_TTL_SECONDS: i64 = 14 * 24 * 60 * 60;
/// How long an unsubscribe link works, in seconds.
pub const UNSUBSCRIBE_TTL_SECONDS: i64 = 365 * 24 * 60 * 60;

/// One line of a reviewer's digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestItem {
    pub initiative_id: i64,
    pub title: String,
    /// The decision's due date, written out.
    pub due: String,
    pub overdue: bool,
}

/// A draft named in a reminder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftItem {
    pub initiative_id: i64,
    pub title: String,
}

/// One union and program of the weekly attainment digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttainmentLine {
    pub union_id: i64,
    pub union_name: String,
    pub program_id: i64,
    pub program_name: String,
    pub submitted: i64,
    pub approved: i64,
    /// The quota, when there is one.
    pub quota: Option<i64>,
    /// Approved ÷ quota, in percent.
    pub attainment: Option<f64>,
    /// Approved this week.
    pub approved_this_week: i64,
}

/// The data of one email, captured when it is written to the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The initiative was received (submitted or resubmitted).
    Received {
        initiative_id: i64,
        title: String,
        receipt_no: String,
        received_at: String,
        due: String,
        resubmitted: bool,
    },
    /// Returned for revision, with what to fix.
    Returned {
        initiative_id: i64,
        title: String,
        note: String,
    },
    /// Approved.
    Approved {
        initiative_id: i64,
        title: String,
        note: Option<String>,
    },
    /// Rejected, with the reason.
    Rejected {
        initiative_id: i64,
        title: String,
        reason: String,
    },
    /// Marked a duplicate of an earlier initiative.
    Duplicate {
        initiative_id: i64,
        title: String,
        of: String,
    },
    /// Commended.
    Awarded {
        initiative_id: i64,
        title: String,
        level: String,
    },
    /// A review assigned to the recipient.
    Assigned {
        initiative_id: i64,
        title: String,
        union_name: String,
        due: String,
    },
    /// A reviewer's daily digest.
    ReviewDigest {
        date: String,
        pending: i64,
        overdue: i64,
        items: Vec<DigestItem>,
    },
    /// A phase closes soon and the recipient has unfinished drafts.
    PhaseReminder {
        program_name: String,
        phase_name: String,
        closes_at: String,
        days_left: i64,
        drafts: Vec<DraftItem>,
    },
    /// An officer's weekly attainment digest.
    AttainmentWeekly {
        week: String,
        lines: Vec<AttainmentLine>,
    },
    /// A password reset was asked for.
    PasswordReset { fingerprint: String },
    /// An imported member is invited to set a password.
    Invitation {
        union_name: String,
        login: String,
        fingerprint: String,
    },
    /// A member is invited to co-author an initiative. It carries no text the author wrote
    /// (not the title): only who invites, from which union, in which program; the rest is
    /// read after signing in.
    CoauthorInvitation {
        initiative_id: i64,
        author_name: String,
        union_name: String,
        program_name: String,
    },
    /// A reorganisation moved the open reviews of a committee the recipient sits on (or
    /// moved the committee itself) to the union that takes over.
    ReviewsMoved {
        committee_name: String,
        from_union: String,
        to_union: String,
        /// Open cases moved; 0 when the committee itself moved with its cases.
        cases: i64,
        decision_no: String,
        effective_on: String,
    },
}

impl Notice {
    /// The kind, as stored in `mail_outbox.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Received { .. } => "received",
            Self::Returned { .. } => "returned",
            Self::Approved { .. } => "approved",
            Self::Rejected { .. } => "rejected",
            Self::Duplicate { .. } => "duplicate",
            Self::Awarded { .. } => "awarded",
            Self::Assigned { .. } => "assigned",
            Self::ReviewDigest { .. } => "review_digest",
            Self::PhaseReminder { .. } => "phase_reminder",
            Self::AttainmentWeekly { .. } => "attainment_weekly",
            Self::PasswordReset { .. } => "password_reset",
            Self::Invitation { .. } => "invitation",
            Self::CoauthorInvitation { .. } => "coauthor_invitation",
            Self::ReviewsMoved { .. } => "reviews_moved",
        }
    }

    /// Is this a digest (sent only to those who keep digests on, with an unsubscribe link)?
    pub fn is_digest(&self) -> bool {
        matches!(
            self,
            Self::ReviewDigest { .. } | Self::AttainmentWeekly { .. }
        )
    }

    /// The subject line (NFC).
    pub fn subject(&self) -> String {
        let s = match self {
            Self::Received {
                title,
                receipt_no,
                resubmitted,
                ..
            } => {
                if *resubmitted {
                    format!("Đã nhận lại sáng kiến \"{title}\" (biên nhận {receipt_no})")
                } else {
                    format!("Đã nhận sáng kiến \"{title}\" (biên nhận {receipt_no})")
                }
            }
            Self::Returned { title, .. } => format!("Sáng kiến \"{title}\" cần chỉnh sửa"),
            Self::Approved { title, .. } => format!("Sáng kiến \"{title}\" đã được thông qua"),
            Self::Rejected { title, .. } => {
                format!("Sáng kiến \"{title}\" không được thông qua")
            }
            Self::Duplicate { title, .. } => {
                format!("Sáng kiến \"{title}\" được xác định là trùng lặp")
            }
            Self::Awarded { title, level, .. } => {
                format!("Sáng kiến \"{title}\" được đề nghị khen thưởng: {level}")
            }
            Self::Assigned { title, .. } => format!("Phân công xét duyệt: \"{title}\""),
            Self::ReviewsMoved {
                to_union,
                decision_no,
                ..
            } => format!("Hồ sơ xét duyệt chuyển về {to_union} (quyết định số {decision_no})"),
            Self::ReviewDigest {
                date,
                pending,
                overdue,
                ..
            } => {
                if *overdue > 0 {
                    format!("Tổng hợp ngày {date}: {pending} sáng kiến chờ xét, {overdue} quá hạn")
                } else {
                    format!("Tổng hợp ngày {date}: {pending} sáng kiến chờ xét")
                }
            }
            Self::PhaseReminder {
                phase_name,
                program_name,
                days_left,
                ..
            } => {
                if *days_left <= 1 {
                    format!("Còn 1 ngày: {phase_name} – {program_name} sắp kết thúc")
                } else {
                    format!("Còn {days_left} ngày: {phase_name} – {program_name} sắp kết thúc")
                }
            }
            Self::AttainmentWeekly { week, .. } => {
                format!("Tình hình thực hiện chỉ tiêu sáng kiến, tuần {week}")
            }
            Self::PasswordReset { .. } => "Đặt lại mật khẩu Sáng kiến".to_owned(),
            Self::Invitation { .. } => "Mời kích hoạt tài khoản Sáng kiến".to_owned(),
            Self::CoauthorInvitation { .. } => "Lời mời đồng tác giả sáng kiến".to_owned(),
        };
        s.nfc().collect()
    }
}

/// A link in a letter.
#[derive(Debug, Clone)]
pub struct Item {
    pub text: String,
    pub url: Option<String>,
}

/// The main button of a letter.
#[derive(Debug, Clone)]
pub struct Action {
    pub label: String,
    pub url: String,
}

/// The plain-text body.
#[derive(Template)]
#[template(path = "email/letter.txt")]
struct TextBody<'a> {
    letter: &'a Letter,
}

/// The HTML body.
#[derive(Template)]
#[template(path = "email/letter.html")]
struct HtmlBody<'a> {
    letter: &'a Letter,
}

/// An email ready to send.
#[derive(Debug, Clone)]
pub struct Letter {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub items: Vec<Item>,
    pub action: Option<Action>,
    pub closing: Vec<String>,
    /// The unsubscribe link of a digest (also sent as `List-Unsubscribe`).
    pub unsubscribe: Option<String>,
}

impl Letter {
    /// The plain-text body (NFC).
    pub fn text(&self) -> Result<String, AppError> {
        TextBody { letter: self }
            .render()
            .map(|s| s.nfc().collect())
            .map_err(|e| AppError::failed("rendering an email", e))
    }

    /// The HTML body (NFC, auto-escaped).
    pub fn html(&self) -> Result<String, AppError> {
        HtmlBody { letter: self }
            .render()
            .map(|s| s.nfc().collect())
            .map_err(|e| AppError::failed("rendering an email", e))
    }
}

/// What composing needs besides the notice.
pub struct Context<'a> {
    /// The public base URL, without a trailing slash.
    pub base_url: &'a str,
    /// For signed links.
    pub keys: &'a TokenKeys,
    /// The recipient's account, if any.
    pub user_id: Option<i64>,
    /// The recipient's name.
    pub name: &'a str,
}

impl Context<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }

    fn signed(
        &self,
        path: &str,
        purpose: LinkPurpose,
        fp: &str,
        ttl: i64,
    ) -> Result<String, AppError> {
        let user = self
            .user_id
            .ok_or_else(|| AppError::unexpected("a signed link for an email without an account"))?;
        let token = self.keys.issue_link(purpose, user, fp, ttl)?;
        Ok(self.url(&format!("{path}?t={token}")))
    }
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Turns a notice into the letter to send.
pub fn compose(notice: &Notice, ctx: &Context<'_>) -> Result<Letter, AppError> {
    let mut letter = Letter {
        subject: notice.subject(),
        greeting: nfc(&format!("Kính gửi {},", ctx.name)),
        paragraphs: Vec::new(),
        items: Vec::new(),
        action: None,
        closing: Vec::new(),
        unsubscribe: None,
    };
    let initiative = |id: i64| ctx.url(&format!("/sang-kien/{id}"));
    match notice {
        Notice::Received {
            initiative_id,
            title,
            receipt_no,
            received_at,
            due,
            resubmitted,
        } => {
            letter.paragraphs.push(format!(
                "Ban Tổ chức đã {} sáng kiến \"{title}\" của bạn lúc {received_at}.",
                if *resubmitted {
                    "nhận lại"
                } else {
                    "nhận"
                }
            ));
            letter.items.push(Item {
                text: format!("Số biên nhận: {receipt_no}"),
                url: None,
            });
            letter.items.push(Item {
                text: format!("Hạn trả lời kết quả xét duyệt: {due}"),
                url: None,
            });
            letter.action = Some(Action {
                label: "Xem biên nhận".to_owned(),
                url: ctx.url(&format!("/sang-kien/{initiative_id}/bien-nhan")),
            });
            letter
                .closing
                .push("Bạn sẽ nhận được thư khi có kết quả xét duyệt.".to_owned());
        }
        Notice::Returned {
            initiative_id,
            title,
            note,
        } => {
            letter.paragraphs.push(format!(
                "Hội đồng xét duyệt đề nghị bạn chỉnh sửa sáng kiến \"{title}\" rồi nộp lại."
            ));
            letter
                .paragraphs
                .push(format!("Nội dung cần chỉnh sửa: {note}"));
            letter.action = Some(Action {
                label: "Chỉnh sửa sáng kiến".to_owned(),
                url: ctx.url(&format!("/sang-kien/{initiative_id}/sua")),
            });
        }
        Notice::Approved {
            initiative_id,
            title,
            note,
        } => {
            letter.paragraphs.push(format!(
                "Chúc mừng bạn: sáng kiến \"{title}\" đã được Ban Tổ chức thông qua và được tính vào chỉ tiêu của đơn vị."
            ));
            if let Some(n) = note.as_deref().filter(|n| !n.is_empty()) {
                letter.paragraphs.push(format!("Ý kiến của hội đồng: {n}"));
            }
            letter.action = Some(Action {
                label: "Xem sáng kiến".to_owned(),
                url: initiative(*initiative_id),
            });
        }
        Notice::Rejected {
            initiative_id,
            title,
            reason,
        } => {
            letter.paragraphs.push(format!(
                "Rất tiếc, sáng kiến \"{title}\" không được Ban Tổ chức thông qua."
            ));
            letter.paragraphs.push(format!("Lý do: {reason}"));
            letter.action = Some(Action {
                label: "Xem sáng kiến".to_owned(),
                url: initiative(*initiative_id),
            });
        }
        Notice::Duplicate {
            initiative_id,
            title,
            of,
        } => {
            letter.paragraphs.push(format!(
                "Hội đồng xét duyệt xác định sáng kiến \"{title}\" trùng lặp với một sáng kiến đã nộp trước đó, nên không được tính vào chỉ tiêu."
            ));
            letter.paragraphs.push(of.clone());
            letter.action = Some(Action {
                label: "Xem sáng kiến".to_owned(),
                url: initiative(*initiative_id),
            });
        }
        Notice::Awarded {
            initiative_id,
            title,
            level,
        } => {
            letter.paragraphs.push(format!(
                "Sáng kiến \"{title}\" của bạn được đề nghị khen thưởng: {level}."
            ));
            letter.action = Some(Action {
                label: "Xem sáng kiến".to_owned(),
                url: initiative(*initiative_id),
            });
        }
        Notice::Assigned {
            initiative_id,
            title,
            union_name,
            due,
        } => {
            letter.paragraphs.push(format!(
                "Bạn được phân công xét duyệt sáng kiến \"{title}\" ({union_name})."
            ));
            letter.items.push(Item {
                text: format!("Hạn quyết định: {due}"),
                url: None,
            });
            letter.action = Some(Action {
                label: "Mở phiếu xét duyệt".to_owned(),
                url: ctx.url(&format!("/xet-duyet/{initiative_id}")),
            });
        }
        Notice::ReviewsMoved {
            committee_name,
            from_union,
            to_union,
            cases,
            decision_no,
            effective_on,
        } => {
            letter.paragraphs.push(format!(
                "Theo quyết định số {decision_no}, hiệu lực từ {effective_on}, {from_union} kết thúc hoạt động và {to_union} tiếp nhận công việc của đơn vị."
            ));
            letter.paragraphs.push(if *cases > 0 {
                format!(
                    "{cases} hồ sơ đang xét của {committee_name} đã được chuyển sang hội đồng của {to_union}; phân công và điểm đã chấm được giữ nguyên."
                )
            } else {
                format!(
                    "{committee_name} nay thuộc {to_union}, cùng các hồ sơ đang xét; bạn tiếp tục xét duyệt như trước."
                )
            });
            letter.action = Some(Action {
                label: "Mở hàng đợi xét duyệt".to_owned(),
                url: ctx.url("/xet-duyet"),
            });
        }
        Notice::ReviewDigest {
            pending,
            overdue,
            items,
            ..
        } => {
            letter.paragraphs.push(format!(
                "Bạn đang có {pending} sáng kiến chờ xét duyệt{}.",
                if *overdue > 0 {
                    format!(", trong đó {overdue} sáng kiến đã quá hạn")
                } else {
                    String::new()
                }
            ));
            for i in items {
                letter.items.push(Item {
                    text: format!(
                        "{} — hạn {}{}",
                        i.title,
                        i.due,
                        if i.overdue { " (quá hạn)" } else { "" }
                    ),
                    url: Some(ctx.url(&format!("/xet-duyet/{}", i.initiative_id))),
                });
            }
            letter.action = Some(Action {
                label: "Mở danh sách xét duyệt".to_owned(),
                url: ctx.url("/xet-duyet"),
            });
        }
        Notice::PhaseReminder {
            program_name,
            phase_name,
            closes_at,
            days_left,
            drafts,
        } => {
            letter.paragraphs.push(format!(
                "{phase_name} của chương trình \"{program_name}\" sẽ kết thúc lúc {closes_at} (còn {days_left} ngày). Bạn còn {} sáng kiến đang soạn chưa nộp:",
                drafts.len()
            ));
            for d in drafts {
                letter.items.push(Item {
                    text: d.title.clone(),
                    url: Some(ctx.url(&format!("/sang-kien/{}/sua", d.initiative_id))),
                });
            }
            letter
                .closing
                .push("Sáng kiến chỉ được xét khi đã nộp trước khi đợt kết thúc.".to_owned());
        }
        Notice::AttainmentWeekly { week, lines } => {
            letter.paragraphs.push(format!(
                "Tình hình thực hiện chỉ tiêu sáng kiến đến tuần {week}:"
            ));
            for l in lines {
                let quota = match (l.quota, l.attainment) {
                    (Some(q), Some(a)) => format!(
                        "chỉ tiêu {}, đạt {}",
                        crate::format::number(q),
                        crate::format::percent(a)
                    ),
                    _ => "chưa giao chỉ tiêu".to_owned(),
                };
                letter.items.push(Item {
                    text: format!(
                        "{} – {}: {} sáng kiến đã nộp, {} được thông qua (+{} trong tuần), {quota}",
                        l.union_name,
                        l.program_name,
                        crate::format::number(l.submitted),
                        crate::format::number(l.approved),
                        crate::format::number(l.approved_this_week),
                    ),
                    url: Some(ctx.url(&format!(
                        "/don-vi/{}/thanh-tich?program={}",
                        l.union_id, l.program_id
                    ))),
                });
            }
        }
        Notice::PasswordReset { fingerprint } => {
            letter.paragraphs.push(
                "Có yêu cầu đặt lại mật khẩu cho tài khoản Sáng kiến của bạn. Đường dẫn dưới đây dùng được một lần, trong 60 phút.".to_owned(),
            );
            letter.action = Some(Action {
                label: "Đặt lại mật khẩu".to_owned(),
                url: ctx.signed(
                    "/dat-lai-mat-khau",
                    LinkPurpose::PasswordReset,
                    fingerprint,
                    RESET_TTL_SECONDS,
                )?,
            });
            letter.closing.push(
                "Nếu bạn không yêu cầu, hãy bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên."
                    .to_owned(),
            );
        }
        Notice::Invitation {
            union_name,
            login,
            fingerprint,
        } => {
            letter.paragraphs.push(format!(
                "{union_name} đã tạo cho bạn tài khoản trên hệ thống Sáng kiến để nộp và theo dõi sáng kiến. Tên đăng nhập: {login}."
            ));
            letter.paragraphs.push(
                "Hãy đặt mật khẩu để kích hoạt tài khoản (đường dẫn dùng được một lần, trong 14 ngày).".to_owned(),
            );
            letter.action = Some(Action {
                label: "Kích hoạt tài khoản".to_owned(),
                url: ctx.signed(
                    "/kich-hoat",
                    LinkPurpose::Invitation,
                    fingerprint,
                    INVITATION_TTL_SECONDS,
                )?,
            });
        }
        Notice::CoauthorInvitation {
            author_name,
            union_name,
            program_name,
            ..
        } => {
            letter.paragraphs.push(format!(
                "Đoàn viên {author_name} ({union_name}) mời bạn làm đồng tác giả một sáng kiến trong chương trình \"{program_name}\"."
            ));
            letter.paragraphs.push(
                "Bạn chỉ được ghi tên là đồng tác giả khi chính bạn xác nhận. Hãy đăng nhập hệ thống Sáng kiến để xem lời mời, rồi chọn \"Xác nhận đồng tác giả\" hoặc \"Từ chối\".".to_owned(),
            );
            letter.action = Some(Action {
                label: "Xem lời mời".to_owned(),
                url: ctx.url("/loi-moi-dong-tac-gia"),
            });
            letter.closing.push(
                "Nếu bạn không biết người mời, hãy chọn \"Từ chối\"; bạn sẽ không nhận thêm thư nào về sáng kiến này.".to_owned(),
            );
        }
    }
    if notice.is_digest() {
        letter.unsubscribe = Some(ctx.signed(
            "/huy-nhan-thu",
            LinkPurpose::Unsubscribe,
            "",
            UNSUBSCRIBE_TTL_SECONDS,
        )?);
    }
    letter.paragraphs = letter
        .paragraphs
        .iter()
        .map(|p| p.nfc().collect())
        .collect();
    for i in &mut letter.items {
        i.text = nfc(&i.text);
    }
    Ok(letter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AuthSettings;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            &[3u8; 32],
            &AuthSettings {
                issuer: "sangkien".into(),
                audience: "sangkien-api".into(),
                token_ttl_minutes: 10,
                idle_timeout_minutes: 60,
                jwt_secret: None,
                jwt_previous_secrets: None,
                require_secret: false,
                lockout: crate::config::AuthSettings::default_lockout(),
                address_limit: crate::config::AuthSettings::default_address_limit(),
            },
        )
    }

    #[test]
    fn reviewers_are_told_where_their_reviews_went() {
        let keys = keys();
        let ctx = Context {
            base_url: "https://sangkien.example/",
            keys: &keys,
            user_id: Some(5),
            name: "Hà Văn Một",
        };
        let letter = compose(
            &Notice::ReviewsMoved {
                committee_name: "Hội đồng LĐLĐ huyện Kỳ Anh".into(),
                from_union: "LĐLĐ huyện Kỳ Anh".into(),
                to_union: "LĐLĐ tỉnh Hà Tĩnh".into(),
                cases: 3,
                decision_no: "68/QĐ-LĐLĐ".into(),
                effective_on: "01/07/2025".into(),
            },
            &ctx,
        )
        .unwrap();
        let text = letter.text().unwrap();
        assert!(text.contains("3 hồ sơ đang xét"), "{text}");
        assert!(text.contains("hiệu lực từ 01/07/2025"), "{text}");
        assert!(
            text.contains("https://sangkien.example/xet-duyet"),
            "{text}"
        );
    }

    #[test]
    fn notices_round_trip_and_subjects_are_nfc() {
        // "Hồ sơ" typed with combining marks becomes precomposed.
        let decomposed = "Ho\u{302}\u{300} so\u{31b}";
        let n = Notice::Returned {
            initiative_id: 4,
            title: decomposed.to_owned(),
            note: "Bổ sung số liệu.".to_owned(),
        };
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"kind\":\"returned\""));
        let back: Notice = serde_json::from_str(&json).unwrap();
        assert_eq!(back, n);
        assert_eq!(n.subject(), "Sáng kiến \"Hồ sơ\" cần chỉnh sửa");
    }

    #[test]
    fn letters_link_back_and_digests_can_be_left() {
        let keys = keys();
        let ctx = Context {
            base_url: "https://sangkien.example/",
            keys: &keys,
            user_id: Some(5),
            name: "Lục Thị Đoàn",
        };
        let letter = compose(
            &Notice::Returned {
                initiative_id: 4,
                title: "Số hoá hồ sơ".into(),
                note: "Bổ sung số liệu <b>chi phí</b>.".into(),
            },
            &ctx,
        )
        .unwrap();
        let text = letter.text().unwrap();
        assert!(
            text.contains("https://sangkien.example/sang-kien/4/sua"),
            "{text}"
        );
        assert!(text.contains("Bổ sung số liệu <b>chi phí</b>."), "{text}");
        let html = letter.html().unwrap();
        assert!(
            html.contains("chi phí") && !html.contains("<b>"),
            "escaped: {html}"
        );
        assert!(letter.unsubscribe.is_none());
        let digest = compose(
            &Notice::ReviewDigest {
                date: "23/11/2026".into(),
                pending: 1,
                overdue: 1,
                items: vec![DigestItem {
                    initiative_id: 8,
                    title: "Gá kẹp nhanh".into(),
                    due: "01/11/2026".into(),
                    overdue: true,
                }],
            },
            &ctx,
        )
        .unwrap();
        let url = digest.unsubscribe.clone().unwrap();
        assert!(url.starts_with("https://sangkien.example/huy-nhan-thu?t="));
        let token = url.split("?t=").nth(1).unwrap();
        assert_eq!(
            keys.verify_link(token, LinkPurpose::Unsubscribe)
                .unwrap()
                .user_id,
            5
        );
        assert!(digest.text().unwrap().contains("(quá hạn)"));
        assert!(digest.html().unwrap().contains("huy-nhan-thu"));
    }
}
