// weft::test::item_recorder: an item pipeline that keeps a copy of every item reaching it.
#pragma once

#include <weft/middleware/pipeline.hpp>
#include <weft/spider/item.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace weft::test
{

/// Appends each item to `*out` (owned by the test, outliving the crawl) and passes it on.
struct item_recorder final : weft::item_pipeline
{
    std::vector<weft::item>* out;
    explicit item_recorder(std::vector<weft::item>* o) : out(o) {}
    std::string_view name() const noexcept override { return "recorder"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        out->push_back(it);
        co_return it;
    }
};

} // namespace weft::test
