#include "plugin/elf_section.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>

namespace weft::plugin::detail
{
namespace
{

// Reads `n` bytes at `offset` into `out`; false when the file is shorter.
bool read_at(std::ifstream& in, std::uint64_t size, std::uint64_t offset, void* out, std::size_t n)
{
    if (offset > size || n > size - offset)
        return false;
    in.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(in.read(static_cast<char*>(out), static_cast<std::streamsize>(n)));
}

} // namespace

elf_section read_elf_section(std::filesystem::path const& path, std::string_view name)
{
    elf_section out;
    std::error_code ec;
    auto const size = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (ec || !in)
        return out;

    Elf64_Ehdr eh;
    if (!read_at(in, size, 0, &eh, sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > size)
        return out;
    // The extended numbering of huge files (e_shnum 0 or e_shstrndx SHN_XINDEX) is not for plugins.
    if (eh.e_shnum == 0 || eh.e_shstrndx == SHN_UNDEF || eh.e_shstrndx >= eh.e_shnum)
    {
        out.what = elf_section::status::no_section;
        return out;
    }
    auto header = [&](std::size_t i, Elf64_Shdr& sh)
    { return read_at(in, size, eh.e_shoff + i * sizeof(Elf64_Shdr), &sh, sizeof sh); };

    Elf64_Shdr names;
    if (!header(eh.e_shstrndx, names) || names.sh_size > size)
        return out;
    std::string strtab(names.sh_size, '\0');
    if (!read_at(in, size, names.sh_offset, strtab.data(), strtab.size()))
        return out;

    out.what = elf_section::status::no_section;
    for (std::size_t i = 0; i < eh.e_shnum; ++i)
    {
        Elf64_Shdr sh;
        if (!header(i, sh))
        {
            out.what = elf_section::status::not_elf;
            return out;
        }
        if (sh.sh_name >= strtab.size() || sh.sh_type == SHT_NOBITS)
            continue;
        // strtab is NUL-terminated per entry; c_str() stops at the entry's end.
        if (std::string_view(strtab.c_str() + sh.sh_name) != name)
            continue;
        if (sh.sh_size > size)
            return out;
        out.bytes.resize(sh.sh_size);
        if (!read_at(in, size, sh.sh_offset, out.bytes.data(), out.bytes.size()))
        {
            out.bytes.clear();
            out.what = elf_section::status::not_elf;
            return out;
        }
        out.what = elf_section::status::found;
        return out;
    }
    return out;
}

} // namespace weft::plugin::detail
