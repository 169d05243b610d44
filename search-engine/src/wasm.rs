//! The engine's interface to `assets/search.js` when compiled to
//! WebAssembly: a few functions over linear memory, no bindings generator.
//!
//! Strings go in as UTF-8 bytes that JavaScript writes into a buffer from
//! [`alloc`] (the engine takes the buffer over); every answer is JSON, left
//! in an output buffer read through [`out_ptr`] and [`out_len`]. Files the
//! engine asks for are answered `{"need":[KEY,…]}`: the script loads them,
//! hands each over with [`add`] (or [`absent`]) and makes the same call
//! again.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::json::{push_hit, push_str, push_strs, push_u64};
use crate::query::{Engine, Error, Fetch, Ranking, SCORE_SCALE, Store, parse_query};
use crate::tokenize::tokens as text_tokens;

/// Files handed over by the script, until the engine takes them.
#[derive(Default)]
struct Files {
    files: Vec<(String, String)>,
    absent: Vec<String>,
}

impl Store for Files {
    fn fetch(&mut self, rel: &str) -> Result<Fetch, Error> {
        if let Some(i) = self.files.iter().position(|f| f.0 == rel) {
            Ok(Fetch::Data(self.files.swap_remove(i).1))
        } else if self.absent.iter().any(|a| a == rel) {
            Ok(Fetch::Absent)
        } else {
            Ok(Fetch::Pending)
        }
    }
}

/// Rankings kept for [`hits`] (a dropdown and the search page may both be
/// waiting for documents).
const KEPT_RANKINGS: usize = 8;

#[derive(Default)]
struct State {
    engine: Option<Engine<Files>>,
    rankings: Vec<(u32, Ranking)>,
    next: u32,
    out: String,
}

/// The engine's state. WebAssembly here has one thread, so a cell shared
/// by nobody else.
struct Global(RefCell<Option<State>>);

// SAFETY: the WebAssembly module runs on one thread (no atomics, no
// threads in wasm32-unknown-unknown as built here).
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(None));

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    let mut s = STATE.0.borrow_mut();
    f(s.get_or_insert_with(State::default))
}

#[global_allocator]
static ALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// A buffer of `len` bytes for the script to write into.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v: Vec<u8> = Vec::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}

/// Takes over a buffer from [`alloc`] holding `len` bytes of UTF-8.
fn take(ptr: *mut u8, len: usize) -> String {
    // SAFETY: `ptr` comes from `alloc(len)` (capacity `len.max(1)`) and the
    // script wrote `len` bytes into it; it is not used after this call.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len.max(1)) };
    String::from_utf8(bytes).unwrap_or_default()
}

fn error_json(out: &mut String, e: &Error) {
    out.clear();
    match e {
        Error::Pending(need) => {
            out.push_str("{\"need\":");
            push_strs(out, need.iter().map(String::as_str));
            out.push('}');
        }
        Error::NoIndex => out.push_str("{\"error\":\"no index\"}"),
        Error::Store => out.push_str("{\"error\":\"store\"}"),
        Error::Format(rel, why) => {
            out.push_str("{\"error\":");
            let mut m = rel.clone();
            m.push_str(": ");
            m.push_str(why);
            push_str(out, &m);
            out.push('}');
        }
    }
}

/// Opens the index from the manifest's payload: `{"n":DOCS,"h":HASH,
/// "scale":SCORE_SCALE}` or `{"error":…}`.
#[unsafe(no_mangle)]
pub extern "C" fn open(ptr: *mut u8, len: usize) {
    let manifest = take(ptr, len);
    with(|s| {
        let mut files = Files::default();
        files.files.push(("manifest".to_string(), manifest));
        match Engine::open(files) {
            Ok(e) => {
                s.out.clear();
                s.out.push_str("{\"n\":");
                push_u64(&mut s.out, e.len() as u64);
                s.out.push_str(",\"h\":");
                push_str(&mut s.out, &e.manifest.h);
                s.out.push_str(",\"scale\":");
                push_u64(&mut s.out, SCORE_SCALE as u64);
                s.out.push('}');
                s.engine = Some(e);
                s.rankings.clear();
            }
            Err(e) => {
                s.engine = None;
                error_json(&mut s.out, &e);
            }
        }
    });
}

/// Hands over the payload of file `key`.
#[unsafe(no_mangle)]
pub extern "C" fn add(kptr: *mut u8, klen: usize, ptr: *mut u8, len: usize) {
    let key = take(kptr, klen);
    let payload = take(ptr, len);
    with(|s| {
        if let Some(e) = &mut s.engine {
            e.store.files.push((key, payload));
        }
    });
}

/// File `key` could not be loaded: the engine reads it as empty.
#[unsafe(no_mangle)]
pub extern "C" fn absent(kptr: *mut u8, klen: usize) {
    let key = take(kptr, klen);
    with(|s| {
        if let Some(e) = &mut s.engine {
            e.store.absent.push(key);
        }
    });
}

/// Ranks a query: `{"need":[…]}`, or `{"r":HANDLE,"ids":[…],"every":…,
/// "corrections":[…]}` with every result's doc id, best first.
#[unsafe(no_mangle)]
pub extern "C" fn query(ptr: *mut u8, len: usize) {
    let q = take(ptr, len);
    with(|s| {
        let State {
            engine,
            rankings,
            next,
            out,
        } = s;
        let Some(e) = engine else {
            error_json(out, &Error::NoIndex);
            return;
        };
        match e.rank(&parse_query(&q)) {
            Ok(r) => {
                *next = next.wrapping_add(1);
                out.clear();
                out.push_str("{\"r\":");
                push_u64(out, *next as u64);
                out.push_str(",\"ids\":[");
                for (i, x) in r.ranked.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_u64(out, x.id as u64);
                }
                out.push_str("],\"every\":");
                out.push_str(if r.every { "true" } else { "false" });
                out.push_str(",\"corrections\":");
                push_strs(out, r.corrections.iter().map(String::as_str));
                out.push('}');
                if rankings.len() >= KEPT_RANKINGS {
                    rankings.remove(0);
                }
                rankings.push((*next, r));
            }
            Err(err) => error_json(out, &err),
        }
    });
}

/// The results `ids` (`count` little-endian u32s in a buffer from
/// [`alloc`]) of ranking `handle`, grouped, with snippets:
/// `{"need":[…]}` or `{"hits":[…]}`.
#[unsafe(no_mangle)]
pub extern "C" fn hits(handle: u32, ptr: *mut u8, count: usize) {
    let len = count * 4;
    // SAFETY: as in `take`: a buffer of `len` bytes from `alloc(len)`.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len.max(1)) };
    let ids: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    with(|s| {
        let State {
            engine,
            rankings,
            out,
            ..
        } = s;
        let (Some(e), Some((_, r))) = (engine, rankings.iter().find(|r| r.0 == handle)) else {
            error_json(out, &Error::Format("hits".into(), "no such ranking".into()));
            return;
        };
        match e.hits(r, &ids) {
            Ok(hits) => {
                out.clear();
                out.push_str("{\"hits\":[");
                for (i, h) in hits.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_hit(out, h);
                }
                out.push_str("]}");
            }
            Err(err) => error_json(out, &err),
        }
    });
}

/// The folded tokens of a text, as the index cuts it: a JSON array.
#[unsafe(no_mangle)]
pub extern "C" fn tokens(ptr: *mut u8, len: usize) {
    let text = take(ptr, len);
    with(|s| {
        s.out.clear();
        push_strs(&mut s.out, text_tokens(&text).iter().map(String::as_str));
    });
}

#[unsafe(no_mangle)]
pub extern "C" fn out_ptr() -> *const u8 {
    with(|s| s.out.as_ptr())
}

#[unsafe(no_mangle)]
pub extern "C" fn out_len() -> usize {
    with(|s| s.out.len())
}
