// weft's tree builder: the "after" and frameset modes, foreign content (SVG and MathML) and
// their attribute fix-ups (HTML §13.2.6.4.19-23, §13.2.6.5), as gumbo 0.10 runs them.
#include "tree_builder_impl.hpp"

#include <weft/text/ascii.hpp>

namespace weft::html::detail::tb
{
namespace
{

struct replacement
{
    std::string_view from;
    std::string_view to;
};

constexpr replacement svg_attributes[] = {
    {"attributename", "attributeName"},
    {"attributetype", "attributeType"},
    {"basefrequency", "baseFrequency"},
    {"baseprofile", "baseProfile"},
    {"calcmode", "calcMode"},
    {"clippathunits", "clipPathUnits"},
    {"diffuseconstant", "diffuseConstant"},
    {"edgemode", "edgeMode"},
    {"filterunits", "filterUnits"},
    {"glyphref", "glyphRef"},
    {"gradienttransform", "gradientTransform"},
    {"gradientunits", "gradientUnits"},
    {"kernelmatrix", "kernelMatrix"},
    {"kernelunitlength", "kernelUnitLength"},
    {"keypoints", "keyPoints"},
    {"keysplines", "keySplines"},
    {"keytimes", "keyTimes"},
    {"lengthadjust", "lengthAdjust"},
    {"limitingconeangle", "limitingConeAngle"},
    {"markerheight", "markerHeight"},
    {"markerunits", "markerUnits"},
    {"markerwidth", "markerWidth"},
    {"maskcontentunits", "maskContentUnits"},
    {"maskunits", "maskUnits"},
    {"numoctaves", "numOctaves"},
    {"pathlength", "pathLength"},
    {"patterncontentunits", "patternContentUnits"},
    {"patterntransform", "patternTransform"},
    {"patternunits", "patternUnits"},
    {"pointsatx", "pointsAtX"},
    {"pointsaty", "pointsAtY"},
    {"pointsatz", "pointsAtZ"},
    {"preservealpha", "preserveAlpha"},
    {"preserveaspectratio", "preserveAspectRatio"},
    {"primitiveunits", "primitiveUnits"},
    {"refx", "refX"},
    {"refy", "refY"},
    {"repeatcount", "repeatCount"},
    {"repeatdur", "repeatDur"},
    {"requiredextensions", "requiredExtensions"},
    {"requiredfeatures", "requiredFeatures"},
    {"specularconstant", "specularConstant"},
    {"specularexponent", "specularExponent"},
    {"spreadmethod", "spreadMethod"},
    {"startoffset", "startOffset"},
    {"stddeviation", "stdDeviation"},
    {"stitchtiles", "stitchTiles"},
    {"surfacescale", "surfaceScale"},
    {"systemlanguage", "systemLanguage"},
    {"tablevalues", "tableValues"},
    {"targetx", "targetX"},
    {"targety", "targetY"},
    {"textlength", "textLength"},
    {"viewbox", "viewBox"},
    {"viewtarget", "viewTarget"},
    {"xchannelselector", "xChannelSelector"},
    {"ychannelselector", "yChannelSelector"},
    {"zoomandpan", "zoomAndPan"},
};

struct namespaced
{
    std::string_view from;
    std::string_view local;
    GumboAttributeNamespaceEnum ns;
};

constexpr namespaced foreign_attributes[] = {
    {"xlink:actuate", "actuate", GUMBO_ATTR_NAMESPACE_XLINK}, {"xlink:href", "href", GUMBO_ATTR_NAMESPACE_XLINK},
    {"xlink:role", "role", GUMBO_ATTR_NAMESPACE_XLINK},       {"xlink:show", "show", GUMBO_ATTR_NAMESPACE_XLINK},
    {"xlink:title", "title", GUMBO_ATTR_NAMESPACE_XLINK},     {"xlink:type", "type", GUMBO_ATTR_NAMESPACE_XLINK},
    {"xml:base", "base", GUMBO_ATTR_NAMESPACE_XML},           {"xml:lang", "lang", GUMBO_ATTR_NAMESPACE_XML},
    {"xml:space", "space", GUMBO_ATTR_NAMESPACE_XML},         {"xmlns", "xmlns", GUMBO_ATTR_NAMESPACE_XMLNS},
    {"xmlns:xlink", "xlink", GUMBO_ATTR_NAMESPACE_XMLNS},
};

} // namespace

void adjust_attributes(builder& b, token& t, GumboNamespaceEnum ns)
{
    if (ns == GUMBO_NAMESPACE_MATHML)
        if (auto* a = find_attr(t.attributes, "definitionurl"))
            a->name = "definitionURL";
    if (ns == GUMBO_NAMESPACE_SVG)
        for (auto const& r : svg_attributes)
            if (auto* a = find_attr(t.attributes, r.from))
                a->name = b.copy(r.to);
    for (auto const& r : foreign_attributes)
        if (auto* a = find_attr(t.attributes, r.from))
        {
            a->attr_namespace = r.ns;
            a->name = b.copy(r.local);
        }
}

bool builder::after_body(token& t)
{
    if (t.type == token_type::whitespace || is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (t.type == token_type::comment)
    {
        append_comment(output_->root, t);
        return true;
    }
    if (t.type == token_type::doctype)
        return false;
    if (is_end(t, GUMBO_TAG_HTML))
    {
        mode_ = mode::after_after_body;
        return true;
    }
    if (t.type == token_type::eof)
        return true;
    mode_ = mode::in_body;
    reprocess_ = true;
    return false;
}

bool builder::in_frameset(token& t)
{
    switch (t.type)
    {
    case token_type::whitespace: insert_text(t); return true;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::doctype: return false;
    case token_type::eof: return is_html(current_node(), GUMBO_TAG_HTML);
    default: break;
    }
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (is_start(t, GUMBO_TAG_FRAMESET))
    {
        insert_element_from_token(t);
        return true;
    }
    if (is_end(t, GUMBO_TAG_FRAMESET))
    {
        if (is_html(current_node(), GUMBO_TAG_HTML))
            return false;
        pop();
        if (!is_html(current_node(), GUMBO_TAG_FRAMESET))
            mode_ = mode::after_frameset;
        return true;
    }
    if (is_start(t, GUMBO_TAG_FRAME))
    {
        insert_element_from_token(t);
        pop();
        return true;
    }
    if (is_start(t, GUMBO_TAG_NOFRAMES))
        return in_head(t);
    return false;
}

bool builder::after_frameset(token& t)
{
    switch (t.type)
    {
    case token_type::whitespace: insert_text(t); return true;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::doctype: return false;
    case token_type::eof: return true;
    default: break;
    }
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (is_end(t, GUMBO_TAG_HTML))
    {
        mode_ = mode::after_after_frameset;
        return true;
    }
    if (is_start(t, GUMBO_TAG_NOFRAMES))
        return in_head(t);
    return false;
}

bool builder::after_after_body(token& t)
{
    if (t.type == token_type::comment)
    {
        append_comment(document_, t);
        return true;
    }
    if (t.type == token_type::doctype || t.type == token_type::whitespace || is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (t.type == token_type::eof)
        return true;
    mode_ = mode::in_body;
    reprocess_ = true;
    return false;
}

bool builder::after_after_frameset(token& t)
{
    if (t.type == token_type::comment)
    {
        append_comment(document_, t);
        return true;
    }
    if (t.type == token_type::doctype || t.type == token_type::whitespace || is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (t.type == token_type::eof)
        return true;
    if (is_start(t, GUMBO_TAG_NOFRAMES))
        return in_head(t);
    return false;
}

bool builder::foreign_content(token& t)
{
    static constexpr tagset breakout{
        GUMBO_TAG_B,    GUMBO_TAG_BIG,    GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,  GUMBO_TAG_BR,   GUMBO_TAG_CENTER,
        GUMBO_TAG_CODE, GUMBO_TAG_DD,     GUMBO_TAG_DIV,        GUMBO_TAG_DL,    GUMBO_TAG_DT,   GUMBO_TAG_EM,
        GUMBO_TAG_EMBED, GUMBO_TAG_H1,    GUMBO_TAG_H2,         GUMBO_TAG_H3,    GUMBO_TAG_H4,   GUMBO_TAG_H5,
        GUMBO_TAG_H6,   GUMBO_TAG_HEAD,   GUMBO_TAG_HR,         GUMBO_TAG_I,     GUMBO_TAG_IMG,  GUMBO_TAG_LI,
        GUMBO_TAG_LISTING, GUMBO_TAG_MENU, GUMBO_TAG_META,      GUMBO_TAG_NOBR,  GUMBO_TAG_OL,   GUMBO_TAG_P,
        GUMBO_TAG_PRE,  GUMBO_TAG_RUBY,   GUMBO_TAG_S,          GUMBO_TAG_SMALL, GUMBO_TAG_SPAN, GUMBO_TAG_STRONG,
        GUMBO_TAG_STRIKE, GUMBO_TAG_SUB,  GUMBO_TAG_SUP,        GUMBO_TAG_TABLE, GUMBO_TAG_TT,   GUMBO_TAG_U,
        GUMBO_TAG_UL,   GUMBO_TAG_VAR};
    switch (t.type)
    {
    case token_type::null:
    {
        // U+FFFD, but the text node keeps its type (gumbo inserts the NULL token as is)
        text_.append("\xEF\xBF\xBD");
        return false;
    }
    case token_type::whitespace: insert_text(t); return true;
    case token_type::cdata:
    case token_type::character:
        insert_text(t);
        frameset_ok_ = false;
        return true;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::doctype: return false;
    default: break;
    }
    if (start_in(t, breakout) ||
        (is_start(t, GUMBO_TAG_FONT) &&
         (find_attr(t.attributes, "color") || find_attr(t.attributes, "face") || find_attr(t.attributes, "size"))))
    {
        do
            pop();
        while (!open_.empty() && !(is_mathml_integration_point(current_node()) ||
                                   is_html_integration_point(current_node()) ||
                                   current_node()->v.element.tag_namespace == GUMBO_NAMESPACE_HTML));
        reprocess_ = true;
        return false;
    }
    if (t.type == token_type::start_tag)
    {
        GumboNamespaceEnum const ns = current_node()->v.element.tag_namespace;
        adjust_attributes(*this, t, ns);
        insert_foreign_element(t, ns);
        if (t.self_closing)
            pop();
        return true;
    }
    // An end tag: the nearest foreign element of that name (ASCII case-insensitive). Gumbo
    // takes the name of an end tag as all between "</" and ">" (so `</svg >` closes nothing).
    std::string_view name = t.name;
    if (gumbo_quirks && t.original.length >= 3)
        name = std::string_view(t.original.data + 2, t.original.length - 3);
    std::string scratch;
    int i = static_cast<int>(open_.size()) - 1;
    GumboNode* node = open_[static_cast<std::size_t>(i)];
    bool const ok = text::iequals(element_name(node, scratch), name);
    while (i > 0)
    {
        if (text::iequals(element_name(node, scratch), name))
        {
            while (pop() != node)
            {
            }
            return ok;
        }
        --i;
        node = open_[static_cast<std::size_t>(i)];
        if (node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            break;
    }
    return handle_mode(t) && ok;
}

} // namespace weft::html::detail::tb
