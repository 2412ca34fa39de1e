// Private: the state of weft's tree builder (tree_builder.hpp) and its tokenizer, shared by
// tree_builder*.cpp and tree_tokenizer.cpp. Names follow gumbo's parser.c so the two can be
// read side by side.
#pragma once

#include "arena.hpp"

#include <gumbo.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html::detail::tb
{

enum class mode : std::uint8_t
{
    initial,
    before_html,
    before_head,
    in_head,
    in_head_noscript,
    after_head,
    in_body,
    text,
    in_table,
    in_table_text,
    in_caption,
    in_column_group,
    in_table_body,
    in_row,
    in_cell,
    in_select,
    in_select_in_table,
    in_template,
    after_body,
    in_frameset,
    after_frameset,
    after_after_body,
    after_after_frameset,
    none // "no mode" (gumbo's INITIAL sentinel): an empty template mode stack, keep resetting
};

enum class token_type : std::uint8_t
{
    doctype,
    start_tag,
    end_tag,
    comment,
    whitespace,
    character,
    null,
    cdata,
    eof
};

// What the tokenizer reads after a start tag, as the tree builder decides.
enum class lex : std::uint8_t
{
    data,
    rcdata,
    rawtext,
    script,
    plaintext
};

struct token
{
    token_type type = token_type::eof;
    GumboTag tag = GUMBO_TAG_UNKNOWN;
    std::string_view name;        // lower-case tag name (start and end tags)
    std::string_view text;        // characters and comments (UTF-8, decoded)
    GumboStringPiece original{};  // a start tag's source text, '<' to '>'
    GumboVector attributes{};     // GumboAttribute*, in the arena (start tags)
    bool self_closing = false;
    // doctype
    char const* doctype_name = nullptr;
    char const* public_id = nullptr;
    char const* system_id = nullptr;
    bool has_public = false;
    bool has_system = false;
    bool force_quirks = false;
};

// A set of tags in the HTML namespace.
struct tagset
{
    std::uint64_t w[3] = {};
    constexpr tagset(std::initializer_list<GumboTag> tags)
    {
        for (auto t : tags)
            w[t / 64] |= std::uint64_t(1) << (t % 64);
    }
    constexpr bool has(GumboTag t) const noexcept
    {
        return static_cast<unsigned>(t) < 192 && ((w[t / 64] >> (t % 64)) & 1) != 0;
    }
};

inline constexpr tagset headings{GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6};
static_assert(GUMBO_TAG_LAST < 192);

class builder;

// The tokenizer (HTML §13.2.5) over the whole input, driven by the builder's decisions.
class lexer
{
public:
    lexer(std::string_view text, builder& b) noexcept
        : begin_(text.data()), p_(text.data()), e_(text.data() + text.size()), b_(b)
    {
    }
    void run();
    lex state = lex::data;

private:
    void data_text();
    bool tag_open();
    bool tag(bool end, char const* lt);
    void markup_declaration(char const* lt);
    void comment();
    void bogus_comment(char const* from);
    void doctype();
    void cdata();
    void raw_text();
    void emit_text(char const* from, char const* to, bool decode_refs);
    void emit_clean(std::string_view s);
    void emit_chars(std::string_view s);
    void add_attribute(std::string_view name, std::string_view value, token& t);

    char const* begin_;
    char const* p_;
    char const* e_;
    builder& b_;
    std::string name_;
    std::string scratch_;
    std::string value_;
    std::string last_start_; // the appropriate end tag's name in RCDATA / RAWTEXT / script data
};

class builder
{
public:
    builder(std::string_view text, arena& memory);
    GumboOutput* run();
    bool gumbo_quirks = false; // see build_tree()

    // ---- called by the lexer ----
    void process(token& t);
    void characters(std::string_view s); // no NUL inside
    bool current_node_foreign() const noexcept;
    char* copy(std::string_view s); // NUL-terminated copy in the arena
    void* allocate(std::size_t n) { return memory_.allocate(n); }
    void vector_add(GumboVector& v, void* p);

    lexer lx;

private:
    friend struct modes;

    // nodes and the tree
    GumboNode* create_node(GumboNodeType type);
    GumboNode* create_element(GumboTag tag);
    GumboNode* create_element_from_token(token& t, GumboNamespaceEnum ns);
    GumboNode* clone_node(GumboNode const* n);
    struct location
    {
        GumboNode* target;
        int index; // -1: append
    };
    location insertion_location(GumboNode* override_target);
    void append_node(GumboNode* parent, GumboNode* node);
    void insert_node(GumboNode* node, location at);
    void remove_from_parent(GumboNode* node);
    void vector_insert_at(GumboVector& v, void* p, unsigned index);
    void vector_remove_at(GumboVector& v, unsigned index);

    // text and comments
    void insert_text(token const& t);
    void flush_text();
    void append_comment(GumboNode* parent, token const& t);

    // the stack of open elements
    GumboNode* current_node() const noexcept { return open_.empty() ? nullptr : open_.back(); }
    GumboNode* pop();
    void insert_element(GumboNode* node, bool reconstructing);
    GumboNode* insert_element_from_token(token& t);
    GumboNode* insert_element_of_tag(GumboTag tag);
    GumboNode* insert_foreign_element(token& t, GumboNamespaceEnum ns);
    int index_in_open(GumboNode const* n) const noexcept;
    void remove_from_open(GumboNode const* n);
    bool in_specific_scope(std::initializer_list<GumboTag> targets, bool negate, tagset const& html_set,
                           bool foreign_boundaries) const;
    bool has_open_element(GumboTag tag) const;
    bool in_scope(GumboTag tag) const;
    bool in_list_scope(GumboTag tag) const;
    bool in_button_scope(GumboTag tag) const;
    bool in_table_scope(GumboTag tag) const;
    bool in_select_scope(GumboTag tag) const;
    bool node_in_scope(GumboNode const* node) const;
    void generate_implied_end_tags(GumboTag exception);
    void generate_all_implied_end_tags_thoroughly();
    bool close_table();
    bool close_table_cell(GumboTag cell);
    bool close_current_cell();
    void close_current_select();
    bool implicitly_close_tags(GumboNamespaceEnum ns, GumboTag target);
    bool maybe_close_p();
    void maybe_close_list_item(bool is_li);
    void clear_stack_to(tagset const& context);

    // active formatting elements (nullptr is a marker)
    void add_formatting_element(GumboNode* node);
    void reconstruct_formatting_elements();
    void clear_formatting_elements();
    int index_in_formatting(GumboNode const* n) const noexcept;
    GumboNode* adoption_inner_loop(GumboNode* formatting, GumboNode* furthest, int& bookmark);
    bool adoption_agency(token& t, GumboTag subject);

    // modes
    void reset_insertion_mode();
    mode appropriate_mode(int index) const;
    mode current_template_mode() const noexcept;
    void run_generic_parsing(token& t, lex state);
    void merge_attributes(token& t, GumboNode* node);
    void end_tag_any_other(token& t);
    void finish();

    bool dispatch(token& t); // one token through the tree construction dispatcher
    bool handle_mode(token& t);
    bool foreign_content(token& t);
    bool initial(token& t);
    bool before_html(token& t);
    bool before_head(token& t);
    bool in_head(token& t);
    bool in_head_noscript(token& t);
    bool after_head(token& t);
    bool in_body(token& t);
    bool in_body_start(token& t);
    bool in_body_start_blocks(token& t);
    bool in_body_start_formatting(token& t);
    bool in_body_start_rest(token& t);
    bool in_body_start_text_select_foreign(token& t);
    bool in_body_end(token& t);
    bool in_body_end_form();
    bool in_body_end_heading(token& t);
    bool text_mode(token& t);
    bool in_table(token& t);
    bool in_table_text(token& t);
    bool in_caption(token& t);
    bool in_column_group(token& t);
    bool in_table_body(token& t);
    bool in_row(token& t);
    bool in_cell(token& t);
    bool in_select(token& t);
    bool in_select_in_table(token& t);
    bool in_template(token& t);
    bool after_body(token& t);
    bool in_frameset(token& t);
    bool after_frameset(token& t);
    bool after_after_body(token& t);
    bool after_after_frameset(token& t);

    arena& memory_;
    GumboOutput* output_ = nullptr;
    GumboNode* document_ = nullptr;
    std::vector<GumboNode*> open_;
    std::vector<GumboNode*> formatting_;
    std::vector<mode> template_modes_;
    GumboNode* head_ = nullptr;
    GumboNode* form_ = nullptr;
    mode mode_ = mode::initial;
    mode original_mode_ = mode::initial;
    bool reprocess_ = false;
    bool frameset_ok_ = true;
    bool ignore_next_linefeed_ = false;
    bool foster_ = false;
    bool quirks_ = false;
    std::string text_;
    GumboNodeType text_type_ = GUMBO_NODE_WHITESPACE;
};

// Node tests, as gumbo's node_html_tag_is / node_tag_in_set.
inline bool is_element(GumboNode const* n) noexcept
{
    return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}
inline bool is_html(GumboNode const* n, GumboTag tag) noexcept
{
    return is_element(n) && n->v.element.tag == tag && n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}
inline bool is_in(GumboNode const* n, tagset const& s) noexcept
{
    return is_element(n) && n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML && s.has(n->v.element.tag);
}
inline bool is_ns(GumboNode const* n, GumboNamespaceEnum ns, GumboTag tag) noexcept
{
    return is_element(n) && n->v.element.tag == tag && n->v.element.tag_namespace == ns;
}
inline bool is_start(token const& t, GumboTag tag) noexcept
{
    return t.type == token_type::start_tag && t.tag == tag;
}
inline bool is_end(token const& t, GumboTag tag) noexcept
{
    return t.type == token_type::end_tag && t.tag == tag;
}
inline bool start_in(token const& t, tagset const& s) noexcept
{
    return t.type == token_type::start_tag && s.has(t.tag);
}
inline bool end_in(token const& t, tagset const& s) noexcept
{
    return t.type == token_type::end_tag && s.has(t.tag);
}

bool is_special(GumboNode const* n) noexcept;
bool is_mathml_integration_point(GumboNode const* n) noexcept;
bool is_html_integration_point(GumboNode const* n) noexcept;
/// The attribute named name (ASCII case-insensitive) in v, or nullptr.
GumboAttribute* find_attr(GumboVector const& v, std::string_view name) noexcept;
/// Gumbo's attribute fix-ups for a foreign element of namespace ns (SVG and MathML case, xlink:...).
void adjust_attributes(builder& b, token& t, GumboNamespaceEnum ns);
/// The lower-case name of an element (gumbo's normalized name, or its original tag's name).
std::string_view element_name(GumboNode const* n, std::string& scratch);

} // namespace weft::html::detail::tb
