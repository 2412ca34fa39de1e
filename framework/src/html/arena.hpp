// Private: the bump allocator a document's gumbo tree lives in.
//
// Gumbo makes one malloc per node, attribute, vector and string (and frees as many temporaries
// while it parses); a page of the Python docs costs tens of thousands of them, and destroying
// the tree walks it again to free each one. A document instead owns an arena: gumbo allocates
// by bumping a pointer in 64 KiB chunks, and the whole tree goes in one step when the document
// dies. Gumbo frees many temporaries while it parses (string buffers re-grown and re-initialized
// for every text node and attribute): a small block freed goes to a free list of its size class
// and serves the next request of that size, so the arena holds about what malloc would (without
// that, a page's arena was several times its live tree and the crawl's peak RSS went up).
// Chunks go back to a process-wide pool, not to the kernel, so the next page reuses pages that
// are already mapped (no page faults, no zeroing).
//
// Thread safety: one arena is used by one thread at a time (gumbo's parse); the chunk pool is
// shared and locked (one lock per chunk taken or per arena released).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace weft::html::detail
{

class arena
{
public:
    arena() = default;
    arena(arena const&) = delete;
    arena& operator=(arena const&) = delete;
    ~arena();

    /// Memory for n bytes, 8-byte aligned (all gumbo needs: pointers and size_t); never null
    /// (throws std::bad_alloc).
    void* allocate(std::size_t n);
    /// Small blocks go to their size class's free list, the latest large block back to malloc;
    /// anything else stays until the arena dies.
    void deallocate(void* p) noexcept;

    /// Bytes handed out from chunks and large blocks (for tests and benchmarks).
    std::size_t bytes_used() const noexcept { return used_; }

    // gumbo's GumboOptions::allocator / deallocator with the arena as userdata
    static void* gumbo_allocate(void* self, std::size_t n);
    static void gumbo_deallocate(void* self, void* p) noexcept;

    static constexpr std::size_t chunk_size = 64 * 1024;

private:
    struct chunk_header
    {
        chunk_header* next;
        std::size_t pad; // keeps the payload 16-byte aligned
    };

    // Every block is preceded by one 8-byte word: its size class (1..classes) or 0 (not reused).
    // Classes 1..128: up to 1 KiB in steps of 8 bytes; 129..132: 2, 4, 8, 16 KiB (vectors and
    // string buffers grow by doubling, so their old blocks come back at these sizes).
    static constexpr std::size_t small_classes = 128;
    static constexpr std::size_t classes = small_classes + 4;
    static std::size_t class_of(std::size_t n) noexcept
    {
        if (n <= small_classes * 8)
            return n == 0 ? 1 : (n + 7) / 8;
        std::size_t c = small_classes + 1;
        for (std::size_t size = 2048; size < n; size *= 2)
            ++c;
        return c;
    }
    static std::size_t class_bytes(std::size_t cls) noexcept
    {
        return cls <= small_classes ? cls * 8 : std::size_t(1024) << (cls - small_classes);
    }
    static constexpr std::uint64_t large_mark = 0;

    void* allocate_slow(std::size_t bytes);
    void* allocate_large(std::size_t n);

    chunk_header* chunks_ = nullptr; // the current chunk first
    char* cur_ = nullptr;
    char* end_ = nullptr;
    std::vector<void*> large_; // blocks above chunk_size / 4 (their header), malloc'ed one by one
    void* free_[classes + 1] = {}; // per size class, linked through each block's first word
    std::size_t used_ = 0;
};

inline void* arena::allocate(std::size_t n)
{
    if (n <= small_classes * 8)
    {
        std::size_t const cls = n == 0 ? 1 : (n + 7) / 8;
        if (void* p = free_[cls])
        {
            free_[cls] = *static_cast<void**>(p);
            return p;
        }
        std::size_t const bytes = (cls + 1) * 8; // header + payload
        if (static_cast<std::size_t>(end_ - cur_) >= bytes)
        {
            auto* h = reinterpret_cast<std::uint64_t*>(cur_);
            *h = cls;
            cur_ += bytes;
            used_ += bytes;
            return h + 1;
        }
    }
    return allocate_slow(n);
}

} // namespace weft::html::detail
