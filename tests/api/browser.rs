//! The pages in a real browser: Debian's Chromium, headless, driven through chromedriver.
//! Each test starts its own chromedriver and a fresh profile; at most two browsers run at once.
//! Screenshots of the main pages go to `target/screenshots/`.
//!
//! Without Chromium the tests say so and pass, except under CI, where they fail.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::helpers::{
    Backend, PASSWORD, TestApp, accept_coauthor, approve, complete_draft, submit, who,
};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Two browsers at a time on this 2-core machine.
static SLOTS: Semaphore = Semaphore::const_new(2);

/// Desktop and phone viewports, as the screenshots are named.
pub const DESKTOP: (u32, u32, &str) = (1280, 800, "1280x800");
pub const PHONE: (u32, u32, &str) = (390, 844, "390x844");

/// A headless Chromium session.
pub struct Browser {
    pub c: Client,
    driver: Child,
    size: &'static str,
    _profile: tempfile::TempDir,
    _slot: SemaphorePermit<'static>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where screenshots go: `<target>/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(&tmp).join("screenshots")
}

impl Browser {
    /// Starts Chromium at a viewport size; `None` (with a note) when it is not installed,
    /// outside CI.
    pub async fn start(viewport: (u32, u32, &'static str)) -> Option<Self> {
        if !(std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists())
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs a browser: apt-get install chromium chromium-driver"
            );
            eprintln!("skipped: {CHROMIUM} or {CHROMEDRIVER} is not installed");
            return None;
        }
        let slot = SLOTS.acquire().await.unwrap();
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let (w, h, size) = viewport;
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", "--lang=vi",
                "--hide-scrollbars",
                format!("--window-size={w},{h}"),
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        if w < 600 {
            // A phone: the exact viewport, touch and a phone's user agent.
            options["mobileEmulation"] = json!({"deviceMetrics": {"width": w, "height": h, "pixelRatio": 1.0, "touch": true}});
        }
        let Value::Object(caps) = json!({ "goog:chromeOptions": options }) else {
            unreachable!()
        };
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a chromium session");
        if w >= 600 {
            // The window includes a little frame even headless: make the viewport exact.
            let inner: Value = c
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await
                .unwrap();
            let got = |i: usize, want: u32| {
                u32::try_from(inner[i].as_u64().unwrap_or(u64::from(want))).unwrap_or(want)
            };
            let (iw, ih) = (got(0, w), got(1, h));
            if (iw, ih) != (w, h) {
                c.set_window_size(w + w.saturating_sub(iw), h + h.saturating_sub(ih))
                    .await
                    .unwrap();
            }
        }
        Some(Self {
            c,
            driver,
            size,
            _profile: profile,
            _slot: slot,
        })
    }

    /// Opens a path of the app.
    pub async fn open(&self, app: &TestApp, path: &str) {
        self.c.goto(&format!("{}{path}", app.base)).await.unwrap();
    }

    /// The element at `css`, waiting up to 10 s for it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Types into the field at `css` (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Sets a field's value directly (date inputs, whose typing depends on the locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.c
            .execute(
                "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', {bubbles: true}));",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    /// Waits until the text of `css` contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let mut last = String::new();
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "{css} never showed {needle:?}; it shows {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the address contains `part`; returns it.
    pub async fn wait_url(&self, part: &str) -> String {
        let started = Instant::now();
        loop {
            let url = self.c.current_url().await.unwrap().to_string();
            if url.contains(part) {
                return url;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the address never contained {part:?}: {url}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The value of a form field.
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Saves a screenshot of the viewport as `<target>/screenshots/<name>-<size>.png`.
    pub async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}-{}.png", self.size)), png).unwrap();
    }

    /// Signs in through the form.
    pub async fn sign_in(&self, app: &TestApp, login: &str) {
        self.open(app, "/dang-nhap").await;
        self.type_into("#login", login).await;
        self.type_into("#password", PASSWORD).await;
        self.find("#sign-in").await.click().await.unwrap();
        self.wait_text("h1", "Xin chào").await;
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.c.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// Sign in, write an initiative while the similar panel finds an earlier one, leave and come
/// back to the autosaved draft, submit past the duplicate warning, read the receipt, and find
/// the initiative in "my initiatives".
async fn a_member_writes_and_submits(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_b = app.login(who::MEMBER_B).await;
    let earlier = complete_draft(&w, "Số hoá hồ sơ lưu trữ bằng phần mềm quản lý văn bản");
    let earlier_id = submit(&app, &member_b, &earlier).await["_id"]
        .as_i64()
        .unwrap();
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.open(&app, "/dang-nhap").await;
    b.shot("sign-in").await;
    b.sign_in(&app, who::MEMBER_A).await;
    b.wait_text("#main", "Bạn chưa có sáng kiến nào.").await;
    b.shot("home-empty").await;
    b.find("#new-initiative").await.click().await.unwrap();
    b.type_into("#title", earlier["title"].as_str().unwrap())
        .await;
    b.type_into("#solution", earlier["solution"].as_str().unwrap())
        .await;
    // The panel finds the earlier initiative while we type, with its verdict and a link.
    let panel = b
        .wait_text("#similar-list", "Số hoá hồ sơ lưu trữ bằng phần mềm")
        .await;
    assert!(
        panel.contains("Trùng lặp") || panel.contains("Gần trùng"),
        "{panel}"
    );
    let link = b
        .find("#similar-list a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link, format!("/sang-kien/{earlier_id}"));
    // Autosave turns the new form into a saved draft.
    let url = b.wait_url("/sua").await;
    b.wait_text("#autosave-status", "Đã tự động lưu").await;
    b.shot("form").await;
    // Leave and come back: the draft is there.
    b.open(&app, "/").await;
    b.wait_text("#my-initiatives", "Nháp").await;
    b.c.goto(&url).await.unwrap();
    assert_eq!(b.value("#title").await, earlier["title"].as_str().unwrap());
    assert_eq!(
        b.value("#solution").await,
        earlier["solution"].as_str().unwrap()
    );
    // Continue: the rest of the form, in the official order.
    b.find("#field_id")
        .await
        .select_by_value(&w.field.to_string())
        .await
        .unwrap();
    b.set_value(
        "#first_applied_on",
        earlier["first_applied_on"].as_str().unwrap(),
    )
    .await;
    b.type_into(
        "#current_situation",
        earlier["current_situation"].as_str().unwrap(),
    )
    .await;
    b.type_into("#scope", earlier["scope"].as_str().unwrap())
        .await;
    b.type_into("#benefits", earlier["benefits"].as_str().unwrap())
        .await;
    b.type_into("#estimated_benefit_vnd", "150000000").await;
    b.find("#title").await.click().await.unwrap();
    assert_eq!(b.value("#estimated_benefit_vnd").await, "150.000.000");
    // With every section copied, the panel calls it a duplicate.
    b.wait_text("#similar-list", "Trùng lặp").await;
    // Submitting a duplicate warns first, without blocking.
    b.find("#submit-initiative").await.click().await.unwrap();
    let warning = b.find("#dup-warning").await;
    assert!(warning.is_displayed().await.unwrap(), "the warning shows");
    b.shot("duplicate-warning").await;
    b.find("#confirm-submit").await.click().await.unwrap();
    b.wait_url("/bien-nhan").await;
    let receipt = b.wait_text("#receipt-no", "SK").await;
    assert!(receipt.starts_with("SK20"), "{receipt}");
    let due = b.find("#decision-due").await.text().await.unwrap();
    assert_eq!(due.len(), 10, "a dd/mm/yyyy date: {due}");
    b.shot("receipt").await;
    // In "my initiatives", with its badge and what comes next.
    b.open(&app, "/").await;
    let mine = b.wait_text("#my-initiatives", "Số hoá hồ sơ").await;
    assert!(mine.contains("Đã nộp"), "{mine}");
    assert!(mine.contains(&receipt), "{mine}");
    b.shot("home").await;
    b.find("#my-initiatives .item-title")
        .await
        .click()
        .await
        .unwrap();
    let timeline = b.wait_text("#timeline", "Nộp sáng kiến").await;
    assert!(timeline.contains("Tạo bản nháp"), "{timeline}");
    b.shot("initiative").await;
    b.close().await;
}

/// The same flow on a phone, saving the draft by the button and submitting without a
/// similar initiative in sight.
async fn a_member_on_a_phone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let Some(b) = Browser::start(PHONE).await else {
        return;
    };
    let d = complete_draft(&w, "Biểu mẫu trực tuyến cho đăng ký nghỉ phép");
    b.open(&app, "/dang-nhap").await;
    b.shot("sign-in").await;
    b.sign_in(&app, who::MEMBER_A).await;
    b.shot("home-empty").await;
    b.find("#new-initiative").await.click().await.unwrap();
    b.type_into("#title", d["title"].as_str().unwrap()).await;
    b.find("#field_id")
        .await
        .select_by_value(&w.field.to_string())
        .await
        .unwrap();
    b.type_into("#author_share_percent", "60").await;
    b.type_into("#coauthor_login_0", who::COAUTHOR_A).await;
    b.type_into("#coauthor_share_0", "40").await;
    b.set_value("#first_applied_on", d["first_applied_on"].as_str().unwrap())
        .await;
    for f in ["current_situation", "scope", "benefits"] {
        b.type_into(&format!("#{f}"), d[f].as_str().unwrap()).await;
    }
    b.type_into("#solution", "Đăng ký nghỉ phép trên biểu mẫu trực tuyến, trưởng phòng duyệt ngay trên điện thoại, bộ phận nhân sự tổng hợp tự động.").await;
    b.shot("form").await;
    b.find("#save-draft").await.click().await.unwrap();
    b.wait_text("#form-notice", "Đã lưu nháp lúc").await;
    // Invited as typed, not yet named; the co-author accepts (from their own session), and
    // the page read again names them.
    assert_eq!(b.value("#coauthor_login_0").await, who::COAUTHOR_A);
    b.wait_text("#coauthor_status_0", "Chờ xác nhận").await;
    let url: Value =
        b.c.execute("return location.pathname;", vec![])
            .await
            .unwrap();
    let id: i64 = url
        .as_str()
        .unwrap()
        .trim_start_matches("/sang-kien/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    accept_coauthor(&app, who::COAUTHOR_A, id).await;
    b.open(&app, &format!("/sang-kien/{id}/sua")).await;
    assert_eq!(b.value("#coauthor_login_0").await, "COAUTHOR-A");
    b.wait_text("#coauthor_status_0", "Đàm Văn Hợp").await;
    b.find("#submit-initiative").await.click().await.unwrap();
    b.wait_url("/bien-nhan").await;
    b.wait_text("#receipt-no", "SK").await;
    b.shot("receipt").await;
    b.open(&app, "/").await;
    let mine = b.wait_text("#my-initiatives", "Biểu mẫu trực tuyến").await;
    assert!(mine.contains("Đã nộp"));
    b.shot("home").await;
    b.find("#my-initiatives .item-title")
        .await
        .click()
        .await
        .unwrap();
    let timeline = b.wait_text("#timeline", "Nộp sáng kiến").await;
    assert!(timeline.contains("Tạo bản nháp"), "{timeline}");
    assert!(timeline.contains("Số biên nhận SK20"), "{timeline}");
    b.wait_text("main", "Đàm Văn Hợp (40%)").await;
    b.shot("initiative").await;
    b.open(&app, "/").await;
    // The page is laid out for the phone, and nothing is wider than it.
    let overflow: Value =
        b.c.execute(
            "return window.innerWidth === 390 ? document.documentElement.scrollWidth - 390 : 9999;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().is_some_and(|o| o <= 0),
        "horizontal scrolling on a phone: {overflow}"
    );
    b.close().await;
}

/// The public finds an approved initiative by typing without diacritics, at both sizes.
async fn the_public_searches_the_gallery(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_a = app.login(who::MEMBER_A).await;
    let mut d = complete_draft(&w, "Tiết kiệm điện chiếu sáng nhà xưởng bằng cảm biến");
    d["solution"] = "Lắp cảm biến chuyển động và hẹn giờ cho đèn chiếu sáng nhà xưởng, tắt đèn khi không có người làm việc.".into();
    let id = submit(&app, &member_a, &d).await["_id"].as_i64().unwrap();
    approve(&app, id).await;
    for viewport in [DESKTOP, PHONE] {
        let Some(b) = Browser::start(viewport).await else {
            return;
        };
        b.open(&app, "/").await;
        b.wait_text("h1", "Mỗi đoàn viên một sáng kiến").await;
        b.shot("landing").await;
        // The index catches up within a second or so of the approval.
        let started = Instant::now();
        loop {
            b.open(&app, "/thu-vien").await;
            b.type_into("#q", "tiet kiem dien cam bien").await;
            b.find("#search-button").await.click().await.unwrap();
            let count = b.wait_text("#result-count", "Tìm thấy").await;
            if !count.starts_with("Tìm thấy 0") {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "never found");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let results = b
            .wait_text("#gallery-results", "Tiết kiệm điện chiếu sáng")
            .await;
        assert!(results.contains("CĐCS Cục Hải quan Cao Bằng"), "{results}");
        let marked = b.find("#gallery-results mark").await.text().await.unwrap();
        assert!(!marked.is_empty(), "matched words are highlighted");
        b.shot("gallery").await;
        b.find("#gallery-results .item-title")
            .await
            .click()
            .await
            .unwrap();
        b.wait_text("main", "Lắp cảm biến chuyển động").await;
        b.wait_text("main", "120.000.000 đ").await;
        b.shot("public").await;
        b.open(&app, "/thu-vien/987654").await;
        b.wait_text("h1", "Không tìm thấy trang").await;
        b.shot("not-found").await;
        b.close().await;
    }
}

crate::on_both_backends!(
    a_member_writes_and_submits,
    a_member_on_a_phone,
    the_public_searches_the_gallery
);
