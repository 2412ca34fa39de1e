// Reads one section of an ELF file without loading it (the plugin descriptor, before dlopen).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace weft::plugin::detail
{

/// What reading `section` of a file found.
struct elf_section
{
    enum class status
    {
        found,      ///< `bytes` holds the section's contents
        no_section, ///< a readable ELF file without that section
        not_elf,    ///< not a 64-bit little-endian ELF file (or an unreadable one)
    } what = status::not_elf;
    std::string bytes;
};

/// Reads section `name` of the ELF file at `path`; every offset is checked against the file's size.
elf_section read_elf_section(std::filesystem::path const& path, std::string_view name);

} // namespace weft::plugin::detail
