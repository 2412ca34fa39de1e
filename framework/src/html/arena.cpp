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
    {
        large_.reserve(large_.size() + 1);
        void* b = std::malloc(n);
        if (!b)
            throw std::bad_alloc();
        large_.push_back(b);
        used_ += n;
        return b;
    }
    auto* c = static_cast<chunk_header*>(take_chunk());
    c->next = chunks_;
    chunks_ = c;
    cur_ = reinterpret_cast<char*>(c + 1);
    end_ = reinterpret_cast<char*>(c) + chunk_size;
    void* p = cur_;
    cur_ += n;
    used_ += n;
    return p;
}

void arena::deallocate(void* p) noexcept
{
    // gumbo's string buffers grow by allocate-copy-free: give the old large block back at once
    // so a long text node does not keep every smaller copy of itself.
    if (!large_.empty() && large_.back() == p)
    {
        std::free(p);
        large_.pop_back();
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
