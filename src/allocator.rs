//! The allocator: mimalloc, entered the way `malloc` is wherever the
//! layout allows.
//!
//! The `mimalloc` crate hands every allocation to `mi_malloc_aligned`,
//! whose alignment checks cost about twice the instructions of `mi_malloc`
//! on its fast path. A 10,000-story build makes some 13 million
//! allocations, and 2.4% of its instructions were in the aligned entry
//! points, while nearly every allocation asks for an alignment that every
//! mimalloc block has anyway (a machine word or less).

use std::alloc::{GlobalAlloc, Layout};

use libmimalloc_sys as mi;

/// The alignment of every block `mi_malloc` returns, whatever its size.
const WORD: usize = std::mem::size_of::<usize>();

/// mimalloc as the global allocator.
pub struct Mimalloc;

// SAFETY: every block comes from mimalloc and goes back to it; a layout
// asking for more than a word's alignment gets mimalloc's aligned calls,
// and `mi_free`/`mi_realloc` accept blocks from either kind of call.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// mimalloc's `mi_option_purge_delay` (the position in `enum mi_option_e`
/// of its v3 `mimalloc.h`; `serve`'s allocator test checks it against its
/// default, 1000 ms in v3's `options.c`).
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

/// How long (ms) mimalloc keeps freed memory before giving it back to the
/// system; it checks only when the thread allocates again.
pub fn purge_delay() -> std::ffi::c_long {
    // SAFETY: reads an integer option.
    unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) }
}

/// Sets [`purge_delay`], for the whole process.
pub fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: sets an integer option; mimalloc allows it at any time.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, ms) }
}

/// Gives the memory the calling thread's heap holds free back to the
/// system (and purges what is scheduled).
pub fn collect_freed() {
    // SAFETY: mimalloc's collection of the calling thread's heap.
    unsafe { mi::mi_collect(true) }
}

/// [`collect_freed`] on this thread and on every thread of `pool` (the
/// global pool without one): mimalloc keeps freed memory in the heap of
/// the thread that used it until that thread allocates again.
pub fn give_back_freed(pool: Option<&rayon::ThreadPool>) {
    collect_freed();
    match pool {
        Some(pool) => pool.broadcast(|_| collect_freed()),
        None => rayon::broadcast(|_| collect_freed()),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_alignment_their_layout_asks_for() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 24, 100, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; each block is freed with its layout.
                unsafe {
                    let p = Mimalloc.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    p.write_bytes(7, size);
                    let grown = Mimalloc.realloc(p, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "realloc {size}, {align}");
                    assert!((0..size).all(|i| *grown.add(i) == 7), "contents kept");
                    Mimalloc.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let z = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0), "zeroed");
                    Mimalloc.dealloc(z, layout);
                }
            }
        }
    }
}
