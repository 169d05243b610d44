//! Leading a room (`campfire serve --room`): the trainer's browser moves
//! through a present view and every attendee who opened the room URL
//! follows, live, over Server-Sent Events on the same server.
//!
//! - `/room/` — attendees: sent to the current slide (`…/index.html?present&follow#3`),
//!   or a waiting page until the trainer opens a deck. `/room/?key=KEY`
//!   (printed in the terminal only) makes this browser the presenter: it
//!   gets a cookie (`HttpOnly`, `SameSite=Strict`) and is sent on.
//! - `GET /__campfire/room/state` — `{presenter, url, deck, slide, lens}`.
//! - `GET /__campfire/room/events` — the stream: the position now, then
//!   each move (`{"type":"room","deck":…,"slide":3,"lens":"","seq":7}`).
//! - `GET /__campfire/room/qr.svg` — the room URL as a QR code.
//! - `POST /__campfire/room/go?deck=…&slide=N&lens=…` — moves the room;
//!   refused (403) without the presenter's cookie, or from another site.

use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use qrcode::QrCode;
use qrcode::render::{svg, unicode};
use serde_json::json;

use super::paths::split_target;
use super::reload::Subscription;
use crate::paths::{PRESENT_QUERY, is_deck_page};

pub(crate) use crate::paths::ROOM_PATH;
const STATE_PATH: &str = "/__campfire/room/state";
const EVENTS_PATH: &str = "/__campfire/room/events";
const QR_PATH: &str = "/__campfire/room/qr.svg";
const GO_PATH: &str = "/__campfire/room/go";
/// Black (256-colour 16) on white (231) for the terminal's QR code, and
/// back to the terminal's own colours.
const QR_COLOURS: &str = "\x1b[38;5;16;48;5;231m";
const RESET: &str = "\x1b[0m";
/// Followers at once (each is a parked socket and a small queue).
const MAX_FOLLOWERS: usize = 2048;
/// Highest slide number a move may name.
const MAX_SLIDE: u32 = 100_000;

type Notify = Box<dyn Fn() + Send + Sync>;

/// Where the room is: a deck (its page, site-relative), a slide (from
/// 1) and, for a term, the department lens chosen ("" for all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Position {
    pub deck: String,
    pub slide: u32,
    pub lens: String,
}

struct Follower {
    tx: SyncSender<Arc<str>>,
    alive: Weak<()>,
}

struct State {
    position: Position,
    /// Moves so far.
    seq: u64,
    followers: Vec<Follower>,
    closed: bool,
}

pub(crate) struct Room {
    key: String,
    cookie: String,
    /// What attendees open (on the room's network when there is one).
    url: String,
    /// What the trainer opens on this machine: makes it the presenter.
    presenter_url: String,
    state: Mutex<State>,
    notify: Mutex<Option<Notify>>,
}

/// What the HTTP server should answer.
pub(crate) enum Answer {
    Json(String),
    Svg(String),
    Html(String),
    /// 302 to this location, maybe setting the presenter's cookie.
    Redirect(String, Option<String>),
    NoContent,
    Refused(u16, &'static str),
    Stream(Subscription),
}

impl Room {
    /// A room reached at `urls` (the first is this machine's own, the
    /// others the network's), with a fresh presenter key.
    pub(crate) fn new(urls: &[String], port: u16) -> Result<Room, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| format!("cannot make a presenter key: {e}"))?;
        let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Room::with_key(urls, port, key))
    }

    fn with_key(urls: &[String], port: u16, key: String) -> Room {
        let local = urls.first().cloned().unwrap_or_default();
        let shared = urls
            .iter()
            .find(|u| !u.contains("://127.") && !u.contains("://[::1]") && !u.contains("localhost"))
            .unwrap_or(&local);
        Room {
            cookie: format!("campfire_room_{port}"),
            url: format!("{}{}", shared, &ROOM_PATH[1..]),
            presenter_url: format!("{}{}?key={key}", local, &ROOM_PATH[1..]),
            key,
            state: Mutex::new(State {
                position: Position::default(),
                seq: 0,
                followers: Vec::new(),
                closed: false,
            }),
            notify: Mutex::new(None),
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn presenter_url(&self) -> &str {
        &self.presenter_url
    }

    /// `notify` runs after each move, outside the room's lock (it wakes
    /// the HTTP loop, which writes to the streams).
    pub(crate) fn set_notify(&self, notify: impl Fn() + Send + Sync + 'static) {
        *self.notify.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(notify));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wake(&self) {
        if let Some(notify) = &*self.notify.lock().unwrap_or_else(|e| e.into_inner()) {
            notify();
        }
    }

    /// The terminal's view: the room URL, its QR code, the presenter's URL.
    /// With `colours` (a terminal that takes them) the code is drawn black
    /// on white whatever the terminal's own colours, quiet zone included,
    /// so it scans on light and dark themes alike; without, dark modules
    /// are drawn with the text colour (right on a light background, as in
    /// most logs and editors).
    pub(crate) fn banner(&self, colours: bool) -> String {
        let qr = QrCode::new(self.url.as_bytes())
            .map(|code| {
                let image = code
                    .render::<unicode::Dense1x2>()
                    .dark_color(unicode::Dense1x2::Dark)
                    .light_color(unicode::Dense1x2::Light)
                    .quiet_zone(true)
                    .build();
                if colours {
                    image
                        .lines()
                        .map(|line| format!("{QR_COLOURS}{line}{RESET}\n"))
                        .collect()
                } else {
                    image + "\n"
                }
            })
            .unwrap_or_default();
        format!(
            "Room: attendees open {} (or scan this code)\n{qr}Presenter (open on this machine, keep it to yourself):\n  {}\n",
            self.url, self.presenter_url
        )
    }

    /// The room URL as an SVG QR code, for the title slide.
    pub(crate) fn qr_svg(&self) -> String {
        QrCode::new(self.url.as_bytes())
            .map(|code| {
                code.render::<svg::Color>()
                    .min_dimensions(200, 200)
                    .dark_color(svg::Color("#000000"))
                    .light_color(svg::Color("#ffffff"))
                    .build()
            })
            .unwrap_or_default()
    }

    pub(crate) fn position(&self) -> Position {
        self.lock().position.clone()
    }

    /// Moves the room and tells every follower.
    pub(crate) fn go(&self, position: Position) {
        {
            let mut state = self.lock();
            state.position = position;
            state.seq += 1;
            let message: Arc<str> = event(&state).into();
            // A follower whose queue is full is stuck: dropping it closes
            // its stream, and its browser reconnects to the position now.
            state
                .followers
                .retain(|f| f.alive.strong_count() > 0 && f.tx.try_send(message.clone()).is_ok());
        }
        self.wake();
    }

    /// A new follower's stream, starting with where the room is.
    pub(crate) fn follow(&self) -> Option<Subscription> {
        let mut state = self.lock();
        state.followers.retain(|f| f.alive.strong_count() > 0);
        if state.closed || state.followers.len() >= MAX_FOLLOWERS {
            return None;
        }
        let (tx, alive, subscription) = Subscription::channel();
        tx.try_send(event(&state).into()).ok()?;
        state.followers.push(Follower { tx, alive });
        Some(subscription)
    }

    /// Disconnects every follower (shutdown).
    pub(crate) fn close(&self) {
        {
            let mut state = self.lock();
            state.closed = true;
            state.followers.clear();
        }
        self.wake();
    }

    /// Whether the request comes from the presenter's browser.
    fn is_presenter(&self, request: &RoomRequest) -> bool {
        request.cookies.iter().any(|header| {
            header.split(';').any(|pair| {
                pair.trim()
                    .split_once('=')
                    .is_some_and(|(name, value)| name == self.cookie && same(value, &self.key))
            })
        })
    }

    /// Answers a request for the room's addresses; `None` for any other.
    pub(crate) fn handle(&self, request: &RoomRequest) -> Option<Answer> {
        let (path, query) = split_target(request.target);
        let query = query.unwrap_or("");
        let get = request.method == "GET" || request.method == "HEAD";
        Some(match path {
            "/room" | ROOM_PATH if get => self.enter(query, self.is_presenter(request)),
            STATE_PATH if get => {
                let p = self.position();
                Answer::Json(
                    json!({
                        "room": true,
                        "presenter": self.is_presenter(request),
                        "url": self.url,
                        "deck": p.deck,
                        "slide": p.slide,
                        "lens": p.lens,
                    })
                    .to_string(),
                )
            }
            QR_PATH if get => Answer::Svg(self.qr_svg()),
            EVENTS_PATH if request.method == "GET" => match self.follow() {
                Some(s) => Answer::Stream(s),
                None => Answer::Refused(503, "The room is full or closing.\n"),
            },
            GO_PATH if request.method == "POST" => self.move_room(request, query),
            STATE_PATH | QR_PATH | EVENTS_PATH | GO_PATH => {
                Answer::Refused(405, "Method not allowed.\n")
            }
            _ => return None,
        })
    }

    fn enter(&self, query: &str, presenter: bool) -> Answer {
        let position = self.position();
        let to_deck = |follow: bool| {
            let mut query = vec![PRESENT_QUERY.to_string()];
            if follow {
                query.push("follow".to_string());
            }
            if !position.lens.is_empty() {
                query.push(format!("lens={}", position.lens));
            }
            format!(
                "/{}?{}#{}",
                position.deck,
                query.join("&"),
                position.slide.max(1)
            )
        };
        if let Some(key) = param(query, "key") {
            if !same(&key, &self.key) {
                return Answer::Refused(
                    403,
                    "This presenter key is not this room's: use the URL `campfire serve --room` printed.\n",
                );
            }
            let cookie = format!(
                "{}={}; Path=/; HttpOnly; SameSite=Strict",
                self.cookie, self.key
            );
            let location = if position.deck.is_empty() {
                "/".to_string()
            } else {
                to_deck(false)
            };
            return Answer::Redirect(location, Some(cookie));
        }
        if position.deck.is_empty() {
            return Answer::Html(waiting_page());
        }
        // The presenter comes back to lead, not to follow.
        Answer::Redirect(to_deck(!presenter), None)
    }

    fn move_room(&self, request: &RoomRequest, query: &str) -> Answer {
        if !self.is_presenter(request) {
            return Answer::Refused(
                403,
                "Only the presenter can move the room (open the presenter URL `campfire serve --room` printed).\n",
            );
        }
        if let Some(origin) = request.origin {
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            if Some(origin_host) != request.host {
                return Answer::Refused(403, "Moves come from the room's own pages only.\n");
            }
        }
        match parse_position(query) {
            // Followers would be sent to a page that is not there: a
            // typo'd or stale deck, or one whose entry was just deleted.
            Some(position) if !(request.published)(&position.deck) => Answer::Refused(
                404,
                "No such deck in this site: open an entry's page (Present) and move from there.\n",
            ),
            Some(position) => {
                self.go(position);
                Answer::NoContent
            }
            None => Answer::Refused(
                400,
                "Expected deck=<an entry's page, like stories/x/index.html>&slide=<1 or more>&lens=<a department id or nothing>.\n",
            ),
        }
    }
}

/// What the room needs to know of a request.
pub(crate) struct RoomRequest<'r> {
    pub method: &'r str,
    pub target: &'r str,
    /// Every `Cookie` header's value.
    pub cookies: Vec<&'r str>,
    pub origin: Option<&'r str>,
    pub host: Option<&'r str>,
    /// Whether a page (site-relative, as a deck is named) is in the output.
    pub published: &'r dyn Fn(&str) -> bool,
}

fn event(state: &State) -> String {
    json!({
        "type": "room",
        "deck": state.position.deck,
        "slide": state.position.slide,
        "lens": state.position.lens,
        "seq": state.seq,
    })
    .to_string()
}

/// Compares without stopping at the first difference (the key is a secret).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// A move's position, checked: followers are sent to the deck, so it must
/// name an entry's page of this site (where its deck is), nothing else.
pub(crate) fn parse_position(query: &str) -> Option<Position> {
    let deck = param(query, "deck")?;
    let slide: u32 = param(query, "slide")?.parse().ok()?;
    let lens = param(query, "lens").unwrap_or_default();
    let lens_ok = lens.len() <= 64
        && lens
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let deck_ok = is_deck_page(&deck)
        && deck.len() <= 1024
        && !deck
            .chars()
            .any(|c| c.is_control() || matches!(c, '?' | '#' | '"' | '<' | '>' | '%'));
    (deck_ok && lens_ok && (1..=MAX_SLIDE).contains(&slide)).then_some(Position {
        deck,
        slide,
        lens,
    })
}

/// Shown to attendees who arrive before the trainer opened a deck; moves
/// on by itself when the first deck is opened.
fn waiting_page() -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Waiting for the trainer</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
         <body style=\"font-family:system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#16130f;color:#f1ebe2\">\
         <main><h1>Waiting for the trainer…</h1><p>The first slide appears here as soon as the presentation starts.</p></main>\
         <script>new EventSource(\"{EVENTS_PATH}\").onmessage=function(e){{var s=JSON.parse(e.data);\
         if(s.deck){{location.href=\"{ROOM_PATH}\";}}}};</script></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Room {
        Room::with_key(
            &[
                "http://127.0.0.1:1111/".into(),
                "http://192.168.1.7:1111/".into(),
            ],
            1111,
            "k3y".into(),
        )
    }

    fn request<'r>(method: &'r str, target: &'r str, cookie: Option<&'r str>) -> RoomRequest<'r> {
        RoomRequest {
            method,
            target,
            cookies: cookie.into_iter().collect(),
            origin: None,
            host: Some("127.0.0.1:1111"),
            published: &|deck| deck != "stories/gone/index.html",
        }
    }

    fn drain(s: &Subscription) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        while let Ok(Some(m)) = s.try_next() {
            out.push(serde_json::from_str(&m).unwrap());
        }
        out
    }

    #[test]
    fn urls_prefer_the_network_for_attendees() {
        let r = room();
        assert_eq!(r.url(), "http://192.168.1.7:1111/room/");
        assert_eq!(r.presenter_url(), "http://127.0.0.1:1111/room/?key=k3y");
        assert!(r.banner(false).contains("http://192.168.1.7:1111/room/"));
        assert!(r.qr_svg().starts_with("<?xml") || r.qr_svg().contains("<svg"));
        // Every address the server answers itself is one pages may not take.
        for p in [STATE_PATH, EVENTS_PATH, QR_PATH, GO_PATH] {
            assert!(p.starts_with(crate::paths::SERVER_PATH), "{p}");
        }
        for p in [
            super::super::reload::SCRIPT_PATH,
            super::super::reload::EVENTS_PATH,
        ] {
            assert!(p.starts_with(crate::paths::SERVER_PATH), "{p}");
        }
    }

    /// Dark modules are dark and the quiet zone light on any terminal: the
    /// code is drawn black on white (not inverted, which phones often
    /// fail to read and which a light terminal turns into a negative).
    #[test]
    fn the_terminal_qr_code_is_black_on_white_with_a_quiet_zone() {
        let r = room();
        let banner = r.banner(true);
        let qr: Vec<&str> = banner
            .lines()
            .filter(|l| l.starts_with(QR_COLOURS))
            .collect();
        assert!(qr.len() > 10, "{banner}");
        for line in &qr {
            assert!(line.ends_with(RESET), "{line:?}");
        }
        let body = |l: &str| l[QR_COLOURS.len()..l.len() - RESET.len()].to_string();
        // Two rows of light quiet zone on top (one line holds two rows)…
        assert!(body(qr[0]).chars().all(|c| c == ' '), "{:?}", qr[0]);
        assert!(body(qr[1]).chars().all(|c| c == ' '), "{:?}", qr[1]);
        // …then the finder pattern's dark top edge, four modules in.
        let finder = body(qr[2]);
        assert!(finder.starts_with("    █▀▀▀▀▀█"), "{finder:?}");
        assert!(body(qr[qr.len() - 1]).trim().is_empty(), "quiet zone below");
        // Without colours: the same drawing, no escapes.
        let plain = r.banner(false);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains(&finder));
    }

    #[test]
    fn only_the_presenter_moves_the_room() {
        let r = room();
        let follower = r.follow().unwrap();
        let go = "/__campfire/room/go?deck=stories/x/index.html&slide=3";
        for cookie in [
            None,
            Some("campfire_room_1111=wrong"),
            Some("campfire_room_2222=k3y"),
        ] {
            assert!(
                matches!(
                    r.handle(&request("POST", go, cookie)),
                    Some(Answer::Refused(403, _))
                ),
                "{cookie:?}"
            );
        }
        assert_eq!(r.position(), Position::default());
        let ok = r.handle(&request("POST", go, Some("a=b; campfire_room_1111=k3y")));
        assert!(matches!(ok, Some(Answer::NoContent)));
        assert_eq!(r.position().slide, 3);
        let events = drain(&follower);
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[1]["deck"], "stories/x/index.html");
        assert_eq!(events[1]["slide"], 3);
        // From another site, even with the cookie: refused.
        let mut cross = request("POST", go, Some("campfire_room_1111=k3y"));
        cross.origin = Some("http://evil.example");
        assert!(matches!(r.handle(&cross), Some(Answer::Refused(403, _))));
        // A GET cannot move it.
        assert!(matches!(
            r.handle(&request("GET", go, Some("campfire_room_1111=k3y"))),
            Some(Answer::Refused(405, _))
        ));
        // A deck that is not in the output: refused, the room stays.
        let gone = "/__campfire/room/go?deck=stories/gone/index.html&slide=1";
        assert!(matches!(
            r.handle(&request("POST", gone, Some("campfire_room_1111=k3y"))),
            Some(Answer::Refused(404, _))
        ));
        assert_eq!(r.position().deck, "stories/x/index.html");
        assert!(drain(&follower).is_empty(), "no move sent");
    }

    #[test]
    fn the_key_gives_a_cookie_and_attendees_go_to_the_slide() {
        let r = room();
        assert!(matches!(
            r.handle(&request("GET", "/room/?key=nope", None)),
            Some(Answer::Refused(403, _))
        ));
        match r.handle(&request("GET", "/room/?key=k3y", None)) {
            Some(Answer::Redirect(to, Some(cookie))) => {
                assert_eq!(to, "/");
                assert!(cookie.starts_with("campfire_room_1111=k3y;"));
                assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
            }
            _ => panic!("a redirect with a cookie"),
        }
        assert!(matches!(
            r.handle(&request("GET", "/room/", None)),
            Some(Answer::Html(_))
        ));
        r.go(parse_position("deck=glossary/nps/index.html&slide=2&lens=it").unwrap());
        match r.handle(&request("GET", "/room/", None)) {
            Some(Answer::Redirect(to, None)) => {
                assert_eq!(to, "/glossary/nps/index.html?present&follow&lens=it#2")
            }
            _ => panic!("a redirect to the slide"),
        }
        match r.handle(&request("GET", "/room/", Some("campfire_room_1111=k3y"))) {
            Some(Answer::Redirect(to, None)) => {
                assert_eq!(to, "/glossary/nps/index.html?present&lens=it#2")
            }
            _ => panic!("the presenter back to the deck"),
        }
        assert!(r.handle(&request("GET", "/stories/", None)).is_none());
    }

    #[test]
    fn moves_name_a_deck_page_of_this_site() {
        assert!(parse_position("deck=pt/glossary/nps/index.html&slide=1").is_some());
        for bad in [
            "deck=//evil.example/index.html&slide=1",
            "deck=https://evil.example/index.html&slide=1",
            "deck=../index.html&slide=1",
            "deck=stories/x/present.html&slide=1",
            "deck=stories/x/index.html&slide=0",
            "deck=stories/x/index.html&slide=x",
            "deck=stories/x/index.html",
            "deck=a%22onload/index.html&slide=1",
            "deck=stories/x/index.html&slide=1&lens=%3Cb%3E",
        ] {
            assert!(parse_position(bad).is_none(), "{bad}");
        }
    }
}
