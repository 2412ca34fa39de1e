#include "arena.hpp"

#include <cstdlib>
#include <mutex>
#include <new>

namespace weft::html::detail
{

namespace
{

// Chunks kept for reuse: 256 x 64 KiB = 16 MiB at most (the documents in flight hold the rest);
// more than that goes back to malloc.
constexpr std::size_t pool_cap = 256;

struct chunk_pool
{
    std::mutex mutex;
    void* free = nullptr; // singly linked through the first word
    std::size_t count = 0;
};

chunk_pool& pool()
{
    static chunk_pool* p = new chunk_pool; // never destroyed: documents may die during static destruction
    return *p;
}

void* take_chunk()
{
    {
        auto& p = pool();
        std::lock_guard lock(p.mutex);
        if (p.free)
        {
            void* c = p.free;
            p.free = *static_cast<void**>(c);
            --p.count;
            return c;
        }
    }
    void* c = std::malloc(arena::chunk_size);
    if (!c)
        throw std::bad_alloc();
    return c;
}

} // namespace

arena::~arena()
{
    for (void* b : large_)
        std::free(b);
    if (!chunks_)
        return;
    // Back to the pool in one lock; what exceeds the cap goes back to malloc.
    chunk_header* surplus = nullptr;
    {
        auto& p = pool();
        std::lock_guard lock(p.mutex);
        while (chunks_)
        {
            chunk_header* c = chunks_;
            chunks_ = c->next;
            if (p.count < pool_cap)
            {
                *reinterpret_cast<void**>(c) = p.free;
                p.free = c;
                ++p.count;
            }
            else
            {
                c->next = surplus;
                surplus = c;
            }
        }
    }
    while (surplus)
    {
        chunk_header* c = surplus;
        surplus = c->next;
        std::free(c);
    }
}

void* arena::allocate_slow(std::size_t n)
{
    if (n > chunk_size / 4)
        return allocate_large(n);
    std::size_t const cls = class_of(n);
    if (void* p = free_[cls])
    {
        free_[cls] = *static_cast<void**>(p);
        return p;
    }
    std::size_t const bytes = class_bytes(cls) + 8;
    if (static_cast<std::size_t>(end_ - cur_) < bytes)
    {
        auto* c = static_cast<chunk_header*>(take_chunk());
        c->next = chunks_;
        chunks_ = c;
        cur_ = reinterpret_cast<char*>(c + 1);
        end_ = reinterpret_cast<char*>(c) + chunk_size;
    }
    auto* h = reinterpret_cast<std::uint64_t*>(cur_);
    *h = cls;
    cur_ += bytes;
    used_ += bytes;
    return h + 1;
}

void* arena::allocate_large(std::size_t n)
{
    large_.reserve(large_.size() + 1);
    auto* h = static_cast<std::uint64_t*>(std::malloc(n + 8));
    if (!h)
        throw std::bad_alloc();
    *h = large_mark;
    large_.push_back(h);
    used_ += n + 8;
    return h + 1;
}

void arena::deallocate(void* p) noexcept
{
    if (!p)
        return;
    auto* h = static_cast<std::uint64_t*>(p) - 1;
    if (*h != large_mark)
    {
        *static_cast<void**>(p) = free_[*h];
        free_[*h] = p;
        return;
    }
    // gumbo's string buffers grow by allocate-copy-free: give the old large block back at once
    // so a long text node does not keep every smaller copy of itself
    // (and a vector's): look among the latest few.
    std::size_t const stop = large_.size() > 8 ? large_.size() - 8 : 0;
    for (std::size_t i = large_.size(); i-- > stop;)
        if (large_[i] == h)
        {
            std::free(h);
            large_.erase(large_.begin() + static_cast<std::ptrdiff_t>(i));
            return;
        }
}

void* arena::gumbo_allocate(void* self, std::size_t n)
{
    // gumbo has no error path for a failed allocation: it would write through null.
    return static_cast<arena*>(self)->allocate(n);
}

void arena::gumbo_deallocate(void* self, void* p) noexcept
{
    static_cast<arena*>(self)->deallocate(p);
}

} // namespace weft::html::detail
