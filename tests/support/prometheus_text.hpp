// A strict reader of Prometheus' text exposition format (version 0.0.4), for tests of
// `--metrics`: it checks what a scraper relies on and returns the samples.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace weft::test
{

struct exposition
{
    /// Sample values by name and labels as written ("weft_pages_total",
    /// "weft_response_status_total{status=\"200\"}").
    std::map<std::string, double> samples;
    /// Metric families by name: their TYPE ("counter", "gauge", ...).
    std::map<std::string, std::string> types;
    /// What breaks the format: a sample without HELP and TYPE before it, an invalid name or
    /// label, a counter not ending in _total, a value that is not a number, a family twice.
    std::vector<std::string> problems;
};

exposition parse_exposition(std::string const& text);

} // namespace weft::test
