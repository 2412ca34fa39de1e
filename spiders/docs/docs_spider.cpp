// The "docs" spider: the headings and code blocks of a documentation site.
//
//     weft crawl docs -a url=https://docs.example.org/guide/ -o docs.jsonl
//
// One item per HTML page under the start URL's directory: url, title, headings (level, text, and
// the id to link to), code (the language when the markup names one, and the text). Links are
// followed only below that directory, so a guide does not pull in the rest of its site.
#include <weft/weft.hpp>

#include <stdexcept>

namespace
{

// The language a highlighter left in a class: "language-cpp", "lang-cpp", "highlight-cpp".
std::string language_of(weft::html::element const& e)
{
    auto classes = e.attr("class").value_or("");
    for (std::string_view prefix : {"language-", "lang-", "highlight-"})
        for (std::size_t at = classes.find(prefix); at != std::string_view::npos; at = classes.find(prefix, at + 1))
            if (at == 0 || classes[at - 1] == ' ')
            {
                auto name = classes.substr(at + prefix.size());
                return std::string(name.substr(0, name.find(' ')));
            }
    return {};
}

class docs_spider final : public weft::spider
{
public:
    docs_spider() : spider{"docs"} {}

    weft::task<void> opened() override
    {
        auto start = weft::url::canonicalize(arg("url"));
        if (!start || !(start->starts_with("http://") || start->starts_with("https://")))
            throw std::invalid_argument("the docs spider needs -a url=URL (http or https): the documentation's root");
        prefix_ = weft::url::resolve(*start, "./").value(); // the start URL's directory
        add_start_url(*start);
        co_return;
    }

    bool needs_links() const override { return true; }

    weft::generator<weft::output> parse(weft::response res) override
    {
        if (!res.is_html())
            co_return;
        weft::item page;
        page.set("url", res.url());
        page.set("title", res.text("title"));
        auto headings = nlohmann::json::array();
        for (auto const& h : res.css("h1, h2, h3, h4, h5, h6"))
        {
            // The anchor: the heading's id, else an <a id> inside it (older generators).
            auto id = h.id().empty() ? h.attr("a[id]", "id").value_or("") : h.id();
            headings.push_back({{"level", h.tag()[1] - '0'}, {"text", h.text()}, {"id", std::string(id)}});
        }
        page.set("headings", headings);
        auto code = nlohmann::json::array();
        for (auto const& pre : res.css("pre"))
        {
            auto language = language_of(pre);
            if (auto inner = pre.css_first("code"); language.empty() && inner)
                language = language_of(*inner);
            if (auto parent = pre.parent(); language.empty() && parent)
                language = language_of(*parent);
            code.push_back({{"language", language}, {"text", pre.raw_text()}}); // whitespace kept
        }
        page.set("code", code);
        co_yield page;

        for (auto const& link : res.links())
            if (link.url.starts_with(prefix_) && !link.nofollow)
            {
                weft::request next = res.follow(link.url);
                co_yield next;
            }
    }

private:
    std::string prefix_;
};

} // namespace

WEFT_SPIDER(docs_spider)
