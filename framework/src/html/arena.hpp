// Private: the bump allocator a document's gumbo tree lives in.
//
// Gumbo makes one malloc per node, attribute, vector and string (and frees as many temporaries
// while it parses); a page of the Python docs costs tens of thousands of them, and destroying
// the tree walks it again to free each one. A document instead owns an arena: gumbo's small
// blocks (nodes, attributes, short strings and vectors: up to small_max bytes) are bumped from
// 64 KiB chunks and their frees are no-ops; the whole tree goes in one step when the document
// dies. Chunks go back to a process-wide pool, not to the kernel, so the next page reuses pages
// that are already mapped (no page faults, no zeroing).
// Larger blocks (gumbo's growing vectors and string buffers, which it re-grows by
// allocate-copy-free) go to malloc and their frees are real: bumping them too held several
// times a big page's final tree (peak RSS of the docs spider 253 MB vs 166 MB without arena).
// Every block has an 8-byte tag just before it (0: in a chunk, 1: malloc'ed, linked into the
// arena's list of large blocks so the arena frees what gumbo did not).
//
// Thread safety: one arena is used by one thread at a time (gumbo's parse); the chunk pool is
// shared and locked (one lock per chunk taken or per arena released).
#pragma once

#include <cstddef>

namespace weft::html::detail
{

class arena
{
public:
    arena() = default;
    arena(arena const&) = delete;
    arena& operator=(arena const&) = delete;
    ~arena();

    /// Memory for n bytes, aligned for any type; never null (throws std::bad_alloc).
    void* allocate(std::size_t n);
    /// Frees p at once when it is a large block; a no-op for small ones (freed with the arena).
    void deallocate(void* p) noexcept;

    /// Bytes handed out from chunks and live large blocks (for tests and benchmarks).
    std::size_t bytes_used() const noexcept { return used_; }

    // gumbo's GumboOptions::allocator / deallocator with the arena as userdata
    static void* gumbo_allocate(void* self, std::size_t n);
    static void gumbo_deallocate(void* self, void* p) noexcept;

    static constexpr std::size_t chunk_size = 64 * 1024;
    /// Blocks up to this size are bumped from chunks; larger ones are malloc'ed.
    static constexpr std::size_t small_max = 256;

private:
    struct chunk_header
    {
        chunk_header* next;
        std::size_t pad; // keeps the payload 16-byte aligned
    };
    struct large_header // 32 bytes: the block stays 16-byte aligned; tag is the word before it
    {
        large_header* prev;
        large_header* next;
        std::size_t size;
        std::size_t tag; // 1
    };

    void* allocate_slow(std::size_t n);
    void* allocate_large(std::size_t n);

    chunk_header* chunks_ = nullptr; // the current chunk first
    char* cur_ = nullptr;            // the next block's tag: 8 mod 16, so the block is 16-aligned
    char* end_ = nullptr;
    large_header* large_ = nullptr; // live large blocks, doubly linked
    std::size_t used_ = 0;
};

inline void* arena::allocate(std::size_t n)
{
    // tag + block rounded to 16: the next tag is again 8 mod 16
    std::size_t const need = (n + 8 + 15) & ~std::size_t(15);
    if (n <= small_max && static_cast<std::size_t>(end_ - cur_) >= need)
    {
        *reinterpret_cast<std::size_t*>(cur_) = 0;
        void* p = cur_ + 8;
        cur_ += need;
        used_ += need;
        return p;
    }
    return allocate_slow(n);
}

} // namespace weft::html::detail
