#include "callback_symbols.hpp"

#include <dlfcn.h>

namespace weft::detail
{

namespace
{

struct decoded_member
{
    void const* function = nullptr; // the code address, virtual calls resolved
    bool adjusts_this = false;
};

// The Itanium C++ ABI's member function pointer: {ptr, adj}. On x86-64 a virtual function has
// ptr = 1 + its offset in the vtable; on AArch64 the low bit of adj says virtual (ptr the offset).
decoded_member decode(void const* object, std::string_view key)
{
    struct raw_member
    {
        std::uintptr_t ptr;
        std::ptrdiff_t adj;
    } raw{};
    if (key.size() < sizeof raw)
        return {};
    std::memcpy(&raw, key.data() + key.size() - sizeof raw, sizeof raw);
#if defined(__aarch64__) || defined(__arm__)
    bool const is_virtual = (raw.adj & 1) != 0;
    std::ptrdiff_t const adj = raw.adj >> 1;
    std::uintptr_t const vtable_offset = raw.ptr;
#else
    bool const is_virtual = (raw.ptr & 1) != 0;
    std::ptrdiff_t const adj = raw.adj;
    std::uintptr_t const vtable_offset = raw.ptr - 1;
#endif
    // Stored callbacks are called through a weft::spider*: only when the spider is at the start of
    // the whole object (the vtable's offset-to-top is 0) is that the `this` the function expects.
    auto const* vtable = *static_cast<char const* const*>(object);
    std::ptrdiff_t offset_to_top = 0;
    std::memcpy(&offset_to_top, vtable - 2 * sizeof(void*), sizeof offset_to_top);
    if (adj != 0 || offset_to_top != 0)
        return {nullptr, true};
    if (!is_virtual)
        return {reinterpret_cast<void const*>(raw.ptr), false};
    void const* entry = nullptr;
    std::memcpy(&entry, vtable + vtable_offset, sizeof entry);
    return {entry, false};
}

} // namespace

std::string member_symbol(void const* object, std::string_view key)
{
    auto const member = decode(object, key);
    if (!member.function || member.adjusts_this)
        return {};
    Dl_info info{};
    // dladdr answers with the nearest symbol below the address: only an exact match is ours.
    if (::dladdr(member.function, &info) == 0 || !info.dli_sname || info.dli_saddr != member.function)
        return {};
    return info.dli_sname;
}

void* symbol_address(void const* object, std::string const& symbol)
{
    Dl_info info{};
    auto const* vtable = *static_cast<void const* const*>(object);
    if (::dladdr(vtable, &info) != 0 && info.dli_fname)
    {
        // The spider's own module first: a plugin is loaded RTLD_LOCAL, out of RTLD_DEFAULT's reach.
        if (void* module = ::dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD))
        {
            void* found = ::dlsym(module, symbol.c_str());
            ::dlclose(module);
            if (found)
                return found;
        }
    }
    return ::dlsym(RTLD_DEFAULT, symbol.c_str());
}

} // namespace weft::detail
