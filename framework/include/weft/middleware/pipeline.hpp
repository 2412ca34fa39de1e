// weft::item_pipeline: step 7 of the crawl data path; async stages every item passes on its way
// to the sinks (validate, clean, drop).
#pragma once

#include <weft/async/task.hpp>
#include <weft/spider/item.hpp>

#include <optional>
#include <stdexcept>
#include <string_view>

namespace weft
{

class spider;

/// Thrown by a stage to drop the item with a reason (Scrapy's DropItem): the item is dropped,
/// "dropped an item of URL in STAGE: reason" logged, counted in stats' items_dropped; the page's
/// other items and requests go on.
class drop_item : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// One stage. Return the item (changed or not) to pass it on, nullopt to drop it quietly
/// (counted in stats as items_dropped), or throw drop_item("why"). Any other exception drops
/// that item only, is logged with the URL and the stage, and counted in items_dropped and
/// item_errors (the summary line shows both); the page's other items and requests go on.
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
