// The XML sink, a plugin: `-o items.xml` writes Scrapy's XML export format,
//
//   <?xml version="1.0" encoding="utf-8"?>
//   <items>
//   <item><url>https://…</url><title>…</title><tags><value>a</value><value>b</value></tags></item>
//   </items>
//
// one <item> per item, a field per key (a key that is no XML name becomes <field name="…">),
// arrays as <value> children, objects as nested fields, null as an empty element. Text is
// escaped, and characters XML 1.0 forbids (most control characters) are dropped, so any item
// gives a well-formed file.
//
// Durability as weft's file sinks give it (weft/sink/sink.hpp): writes are buffered, async_flush
// makes them durable. The closing </items> is written at close, so a crawl that dies leaves a
// file that lacks it: not resizable, so a --job-dir crawl gets each item at least once, and a
// resumed crawl refuses to append (-O overwrites).
#include <weft/sink/registry.hpp>
#include <weft/sink/text_file_sink.hpp>

namespace
{

// XML 1.0's Char production, for one decoded code point.
bool allowed_in_xml(char32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

// Escapes UTF-8 text (weft's items hold valid UTF-8) for element content, or an attribute value.
void append_escaped(std::string& out, std::string_view text, bool in_attribute = false)
{
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        auto const c = static_cast<unsigned char>(text[i]);
        switch (c)
        {
        case '<': out += "&lt;"; continue;
        case '>': out += "&gt;"; continue;
        case '&': out += "&amp;"; continue;
        case '"':
            out += in_attribute ? "&quot;" : "\"";
            continue;
        default: break;
        }
        if (c < 0x80)
        {
            if (allowed_in_xml(c))
                out += static_cast<char>(c);
            continue;
        }
        // Multi-byte: only U+FFFE and U+FFFF (EF BF BE/BF) are forbidden among them.
        if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
            (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE)
        {
            i += 2;
            continue;
        }
        out += static_cast<char>(c);
    }
}

// A JSON key usable as an element name as it is: [A-Za-z_][A-Za-z0-9_.-]*, not starting with "xml".
bool is_simple_name(std::string_view key)
{
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (key.empty() || !alpha(key[0]) || (key.size() >= 3 && (key.substr(0, 3) == "xml" || key.substr(0, 3) == "XML")))
        return false;
    for (char c : key)
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.')
            return false;
    return true;
}

void append_value(std::string& out, weft::item::json const& v);

void append_field(std::string& out, std::string_view key, weft::item::json const& v)
{
    bool const simple = is_simple_name(key);
    if (simple)
        out.append("<").append(key).append(">");
    else
    {
        out += "<field name=\"";
        append_escaped(out, key, true);
        out += "\">";
    }
    append_value(out, v);
    out.append("</").append(simple ? key : std::string_view("field")).append(">");
}

void append_value(std::string& out, weft::item::json const& v)
{
    using t = weft::item::json::value_t;
    switch (v.type())
    {
    case t::null: return;
    case t::string: append_escaped(out, v.get_ref<std::string const&>()); return;
    case t::array:
        for (auto const& e : v)
            append_field(out, "value", e);
        return;
    case t::object:
        for (auto const& [k, e] : v.items())
            append_field(out, k, e);
        return;
    default: append_escaped(out, v.dump()); return; // numbers, booleans
    }
}

// Buffering, durability and error messages come from weft::text_file_sink: a format only says
// how the file starts, how an item reads and how the file ends.
class xml_sink final : public weft::text_file_sink
{
public:
    xml_sink(weft::executor ex, std::string path, weft::sink_options const& options)
        : text_file_sink(std::move(ex), std::move(path), options, {.resizable = false})
    {
    }
    std::string_view format() const noexcept override { return "xml"; }

private:
    weft::error_code start(weft::sink_file& file, std::string& out) override
    {
        if (file.initial_size() > 0) // appending would need the old </items> cut off first
        {
            set_diagnostics("cannot append to '" + path() + "': the XML sink writes whole files only; give -O " +
                            path() + " to overwrite it, or another output file");
            return {EEXIST, boost::system::system_category()};
        }
        out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<items>\n";
        return {};
    }

    void append_item(weft::item const& it, std::string& out) override
    {
        out += "<item>";
        append_value(out, it.value());
        out += "</item>\n";
    }

    void finish(std::string& out) override { out += "</items>\n"; }
};

} // namespace

WEFT_REGISTER_SINK(xml, ".xml", xml_sink);
