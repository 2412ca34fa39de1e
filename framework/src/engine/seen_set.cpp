#include <weft/engine/seen_set.hpp>

#include <algorithm>

namespace weft::engine
{
namespace
{

// Growth keeps the load factor in (max_load / growth, max_load]: 16 bytes / load per fingerprint.
constexpr double max_load = 0.8;
constexpr std::size_t min_capacity = 64;

std::size_t capacity_for(std::size_t n)
{
    return std::max(min_capacity, static_cast<std::size_t>(n / max_load) + 1);
}

} // namespace

memory_seen_set::memory_seen_set(std::size_t expected)
{
    if (expected)
        reserve(expected);
}

std::size_t memory_seen_set::slot_of(fingerprint fp) const noexcept
{
    // Lemire's range reduction: any capacity, no modulo. `lo` is uniformly mixed.
    return static_cast<std::size_t>((static_cast<unsigned __int128>(fp.lo) * slots_.size()) >> 64);
}

void memory_seen_set::reserve(std::size_t n)
{
    auto want = capacity_for(n);
    if (want > slots_.size())
        rehash(want);
}

void memory_seen_set::clear() noexcept
{
    std::vector<fingerprint>().swap(slots_);
    size_ = 0;
    has_zero_ = false;
}

void memory_seen_set::rehash(std::size_t capacity)
{
    std::vector<fingerprint> old(capacity);
    old.swap(slots_);
    for (auto fp : old)
    {
        if (fp == fingerprint{})
            continue;
        auto i = slot_of(fp);
        while (slots_[i] != fingerprint{})
            i = i + 1 == slots_.size() ? 0 : i + 1;
        slots_[i] = fp;
    }
}

bool memory_seen_set::insert(fingerprint fp)
{
    if (fp == fingerprint{})
        return has_zero_ ? false : (has_zero_ = true);
    if (static_cast<double>(size_ + 1) > static_cast<double>(slots_.size()) * max_load)
        rehash(std::max(min_capacity, slots_.size() + slots_.size() / 2));
    auto i = slot_of(fp);
    for (;;)
    {
        if (slots_[i] == fp)
            return false;
        if (slots_[i] == fingerprint{})
        {
            slots_[i] = fp;
            ++size_;
            return true;
        }
        i = i + 1 == slots_.size() ? 0 : i + 1;
    }
}

bool memory_seen_set::contains(fingerprint fp) const
{
    if (fp == fingerprint{})
        return has_zero_;
    if (slots_.empty())
        return false;
    auto i = slot_of(fp);
    for (;;)
    {
        if (slots_[i] == fp)
            return true;
        if (slots_[i] == fingerprint{})
            return false;
        i = i + 1 == slots_.size() ? 0 : i + 1;
    }
}

} // namespace weft::engine
