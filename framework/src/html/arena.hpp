// Private: the bump allocator a document's gumbo tree lives in.
//
// Gumbo makes one malloc per node, attribute, vector and string (and frees as many temporaries
// while it parses); a page of the Python docs costs tens of thousands of them, and destroying
// the tree walks it again to free each one. A document instead owns an arena: gumbo allocates
// by bumping a pointer in 64 KiB chunks, its frees are no-ops (but for the last large block,
// which string buffers re-grow), and the whole tree goes in one step when the document dies.
// Chunks go back to a process-wide pool, not to the kernel, so the next page reuses pages that
// are already mapped (no page faults, no zeroing).
//
// Thread safety: one arena is used by one thread at a time (gumbo's parse); the chunk pool is
// shared and locked (one lock per chunk taken or per arena released).
#pragma once

#include <cstddef>
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

    /// Memory for n bytes, aligned for any type; never null (throws std::bad_alloc).
    void* allocate(std::size_t n);
    /// Gives back p when that is cheap (the latest large block); otherwise a no-op until the arena dies.
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

    void* allocate_slow(std::size_t n);

    chunk_header* chunks_ = nullptr; // the current chunk first
    char* cur_ = nullptr;
    char* end_ = nullptr;
    std::vector<void*> large_; // blocks above chunk_size / 4, malloc'ed one by one
    std::size_t used_ = 0;
};

inline void* arena::allocate(std::size_t n)
{
    n = (n + 15) & ~std::size_t(15);
    if (n == 0)
        n = 16;
    if (static_cast<std::size_t>(end_ - cur_) >= n)
    {
        void* p = cur_;
        cur_ += n;
        used_ += n;
        return p;
    }
    return allocate_slow(n);
}

} // namespace weft::html::detail
