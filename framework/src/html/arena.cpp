#include "arena.hpp"

#include <cstdlib>
#include <mutex>
#include <new>

namespace weft::html::detail
{

namespace
{

// Chunks kept for reuse: 512 x 64 KiB = 32 MiB at most; more than that goes back to malloc.
constexpr std::size_t pool_cap = 512;

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
    while (large_)
    {
        large_header* h = large_;
        large_ = h->next;
        std::free(h);
    }
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
    if (n > small_max)
        return allocate_large(n);
    std::size_t const need = (n + 8 + 15) & ~std::size_t(15);
    auto* c = static_cast<chunk_header*>(take_chunk());
    c->next = chunks_;
    chunks_ = c;
    cur_ = reinterpret_cast<char*>(c + 1) + 8; // the payload is 16-aligned, the tag 8 before a block
    end_ = reinterpret_cast<char*>(c) + chunk_size;
    *reinterpret_cast<std::size_t*>(cur_) = 0;
    void* p = cur_ + 8;
    cur_ += need;
    used_ += need;
    return p;
}

void* arena::allocate_large(std::size_t n)
{
    auto* h = static_cast<large_header*>(std::malloc(sizeof(large_header) + n));
    if (!h)
        throw std::bad_alloc();
    h->prev = nullptr;
    h->next = large_;
    h->size = n;
    h->tag = 1;
    if (large_)
        large_->prev = h;
    large_ = h;
    used_ += n;
    return h + 1;
}

void arena::deallocate(void* p) noexcept
{
    // Small blocks stay until the arena dies; large ones (gumbo's re-grown vectors and string
    // buffers) go back to malloc now, so their memory serves the next, larger copy.
    if (!p || static_cast<std::size_t const*>(p)[-1] == 0)
        return;
    auto* h = static_cast<large_header*>(p) - 1;
    if (h->prev)
        h->prev->next = h->next;
    else
        large_ = h->next;
    if (h->next)
        h->next->prev = h->prev;
    used_ -= h->size;
    std::free(h);
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
