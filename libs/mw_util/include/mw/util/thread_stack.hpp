#pragma once
// Gives back the pages of the calling thread's stack below the caller's frame. A task grows the
// stack of the thread it runs on (SQLite, schema validation and Beast go deep), and nothing
// shrinks a thread's stack by itself: a thread that served a burst keeps those pages resident for
// good. Call it only from a shallow frame of the thread's own loop, between tasks: nothing below
// that frame is in use then, and a page given back reads as zeros when it is touched again. Never
// for another thread's stack.
namespace mw::util {

void release_unused_stack();

}  // namespace mw::util
