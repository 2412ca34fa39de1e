// Throughput of weft's HTML paths on one core: bare gumbo, weft's DOM, DOM + CSS select,
// DOM + extract_links, and the streaming scanner.
//
//   weft_scanner_bench [dir=/usr/share/doc/python3.11/html] [rounds=3]
//
// Loads every .html/.htm file under dir into memory, then runs each case `rounds` times over all
// pages and reports, for the median round, pages per CPU-second and MB/s of input per CPU-second
// (CPU time of this process from clock_gettime(CLOCK_PROCESS_CPUTIME_ID), not wall time, so a
// loaded machine skews the figures less). Pin it to one core (bench/html.sh uses taskset -c 1).
//
// CASES="key key" in the environment runs only those cases.
//
// Besides the human-readable table, each case prints one machine-readable line:
//   RESULT <key> <pages/CPU-s> <MB/CPU-s> <median CPU-s per round> <checksum>
// which bench/html.sh reads.
#include <weft/html/document.hpp>
#include <weft/html/links.hpp>
#include <weft/html/scanner.hpp>
#include <weft/html/selector.hpp>

#include "html/arena.hpp" // framework/src: gumbo into weft's arena, as document::parse does
#include "html/tree_builder.hpp" // weft's own tree builder (html::parser::weft)

#include <gumbo.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace
{

double cpu_seconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct page
{
    std::string url, text;
};

} // namespace

int main(int argc, char** argv)
{
    fs::path dir = argc > 1 ? argv[1] : "/usr/share/doc/python3.11/html";
    int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;

    // Same file set, in the same (sorted) order, as bench/peers/*.
    std::vector<fs::path> files;
    for (auto const& e : fs::recursive_directory_iterator(dir))
    {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".html" || ext == ".htm"))
            files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<page> pages;
    std::size_t bytes = 0;
    for (auto const& f : files)
    {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        // The URL a crawl of the served directory sees: links resolve as they do in a crawl.
        pages.push_back({"http://127.0.0.1:8000/" + fs::relative(f, dir).generic_string(), s.str()});
        bytes += pages.back().text.size();
    }
    if (pages.empty())
    {
        std::fprintf(stderr, "no .html files under %s\n", dir.c_str());
        return 1;
    }
    std::printf("weft: %zu pages, %.1f MB, %d rounds (median round, CPU time)\n", pages.size(), bytes / 1e6,
                rounds);
    std::printf("%-34s %12s %10s %10s\n", "case", "pages/CPU-s", "MB/CPU-s", "CPU-s");

    // CASES="doc_select wdoc_select" runs only those cases (space-separated keys).
    char const* only = std::getenv("CASES");
    auto run = [&](char const* key, char const* name, auto&& f)
    {
        if (only && (" " + std::string(only) + " ").find(" " + std::string(key) + " ") == std::string::npos)
            return;
        std::vector<double> times;
        std::size_t sink = 0;
        for (int r = 0; r < rounds; ++r)
        {
            sink = 0;
            double t0 = cpu_seconds();
            for (auto const& p : pages)
                sink += f(p);
            times.push_back(cpu_seconds() - t0);
        }
        std::sort(times.begin(), times.end());
        double s = times[times.size() / 2];
        double pps = pages.size() / s, mbs = bytes / 1e6 / s;
        std::printf("%-34s %12.1f %10.2f %10.3f   (%zu)\n", name, pps, mbs, s, sink);
        std::printf("RESULT %s %.3f %.4f %.5f %zu\n", key, pps, mbs, s, sink);
        std::fflush(stdout);
    };

    // The C library alone: tree construction into gumbo's own nodes, then free it.
    run("gumbo_parse", "gumbo parse (bare gumbo_parse)",
        [](page const& p)
        {
            GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, p.text.data(), p.text.size());
            std::size_t n = out->root->v.element.children.length;
            gumbo_destroy_output(&kGumboDefaultOptions, out);
            return n;
        });
    // The same parse into the arena weft's documents use (pooled chunks, freed in one step).
    run("gumbo_arena", "gumbo parse into weft's arena",
        [](page const& p)
        {
            weft::html::detail::arena mem;
            GumboOptions options = kGumboDefaultOptions;
            options.allocator = &weft::html::detail::arena::gumbo_allocate;
            options.deallocator = &weft::html::detail::arena::gumbo_deallocate;
            options.userdata = &mem;
            GumboOutput* out = gumbo_parse_with_options(&options, p.text.data(), p.text.size());
            return std::size_t(out->root->v.element.children.length);
        });
    // weft's document: encoding detection + UTF-8 validation + gumbo + weft's element index.
    run("doc_parse", "weft document::parse",
        [](page const& p) { return weft::html::document::parse(p.text).size(); });
    // Typical scraping selectors, compiled once as a scraper would.
    weft::html::selector const sel_a("a[href]"), sel_h("h1, h2"), sel_p("div.body p");
    run("doc_select", "document::parse + css() x3",
        [&](page const& p)
        {
            auto d = weft::html::document::parse(p.text);
            std::size_t n = 0;
            for (auto const& e : d.css(sel_a))
                n += e.attr("href").value_or("").size();
            n += d.css(sel_h).size();
            n += d.css(sel_p).size();
            return n;
        });
    // What the docs spider (spiders/docs) does per page, selectors given as text as spiders do.
    run("doc_docs", "document::parse + the docs spider's selectors",
        [&](page const& p)
        {
            auto d = weft::html::document::parse(p.text);
            std::size_t n = d.text("title").size();
            for (auto const& h : d.css("h1, h2, h3, h4, h5, h6"))
                n += h.text().size() + (h.id().empty() ? h.attr("a[id]", "id").value_or("") : h.id()).size();
            for (auto const& pre : d.css("pre"))
            {
                n += pre.attr("class").value_or("").size() + pre.raw_text().size();
                if (auto inner = pre.css_first("code"))
                    n += inner->attr("class").value_or("").size();
            }
            return n;
        });
    // The same with weft's own tokenizer and tree builder (html::parser::weft, issue 13).
    run("weft_tree", "weft tree builder into the arena",
        [](page const& p)
        {
            weft::html::detail::arena mem;
            GumboOutput* out = weft::html::detail::build_tree(p.text, mem);
            return std::size_t(out->root->v.element.children.length);
        });
    weft::html::parse_options with_weft;
    with_weft.parser = weft::html::parser::weft;
    run("wdoc_parse", "document::parse, parser::weft",
        [&](page const& p) { return weft::html::document::parse(p.text, with_weft).size(); });
    run("wdoc_select", "parser::weft + css() x3",
        [&](page const& p)
        {
            auto d = weft::html::document::parse(p.text, with_weft);
            std::size_t n = 0;
            for (auto const& e : d.css(sel_a))
                n += e.attr("href").value_or("").size();
            n += d.css(sel_h).size();
            n += d.css(sel_p).size();
            return n;
        });
    run("doc_links", "document::parse + extract_links",
        [](page const& p)
        {
            auto d = weft::html::document::parse(p.text);
            return weft::html::extract_links(d, p.url).size();
        });
    run("scan", "scan() (links, title, meta)",
        [](page const& p) { return weft::html::scan(p.text, p.url).links.size(); });
    run("for_each_tag", "for_each_tag (tokenize only)",
        [](page const& p)
        {
            std::size_t n = 0;
            weft::html::for_each_tag(p.text, [&](auto const&) { return ++n, true; });
            return n;
        });
}
