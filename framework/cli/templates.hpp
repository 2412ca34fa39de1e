// The files `weft genspider` writes, embedded from templates/ at configure time
// (framework/cli/CMakeLists.txt). In names and contents, {{name}}, {{url}}, {{host}} and
// {{weft_version}} are replaced; NAME in a file name becomes the spider's name.
#pragma once

#include <vector>

namespace weft::cli
{

struct template_file
{
    char const* name; ///< "CMakeLists.txt", "NAME_spider.cpp"
    char const* content;
};

/// The spider project's files (templates/spider/*.in).
std::vector<template_file> const& spider_templates();

} // namespace weft::cli
