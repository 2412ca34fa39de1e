// weft::item_pipeline: step 7 of the crawl data path; async stages every item passes on its way
// to the sinks (validate, clean, drop).
#pragma once

#include <weft/async/task.hpp>
#include <weft/spider/item.hpp>

#include <optional>
#include <string_view>

namespace weft
{

class spider;

/// One stage. Return the item (changed or not) to pass it on, nullopt to drop it (counted in
/// stats as items_dropped). An exception drops the item and is logged with the URL.
class item_pipeline
{
public:
    virtual ~item_pipeline() = default;
    virtual std::string_view name() const noexcept = 0;
    virtual task<void> opened(spider& s) { co_return; }
    virtual task<std::optional<item>> process(item it, spider& s) = 0;
    virtual task<void> closed(spider& s) { co_return; }
};

} // namespace weft
