// Private to fetch_chromium: running JavaScript in a page or one of its frames (evaluate, waiting
// scripts, functions on remote objects).
#pragma once

#include <weft/chromium/element_handle.hpp>

#include "page_impl.hpp"

#include <memory>
#include <string>

namespace weft::chromium::detail
{

/// The document's HTML as Puppeteer's content() gives it: the doctype, then the root element.
inline constexpr char const* content_js = R"JS((() => {
  let s = '';
  if (document.doctype) s = new XMLSerializer().serializeToString(document.doctype);
  if (document.documentElement) s += document.documentElement.outerHTML;
  return s;
})())JS";

/// `s` as a JavaScript string literal.
std::string js(std::string const& s);
/// Runs a function on a remote object of DevTools session `session` ("" the page's):
/// Runtime.callFunctionOn, by value, awaiting promises.
task<json> call_function_on(std::shared_ptr<page_impl> p, std::string session, std::string object_id,
                            std::string function_js, json args, milliseconds timeout = {});
/// The JS exception of a Runtime result as text ("Error: boom"), or "".
std::string exception_text(json const& result);

/// Runtime.evaluate of `expression` by value (a Promise awaited) in frame `frame_id`'s document
/// ("": the main frame's); a throw fails with error::javascript_error.
task<json> do_evaluate(std::shared_ptr<page_impl> p, std::string expression, milliseconds timeout,
                       std::string frame_id = {});
/// page::async_wait_for_selector, in frame `frame_id` ("": the main frame).
task<element_handle> do_wait_for_selector(std::shared_ptr<page_impl> p, std::string css, wait_for_selector_options opts,
                                          std::string frame_id = {});
/// page::async_query_all, in frame `frame_id` ("": the main frame).
task<std::vector<element_handle>> do_query_all(std::shared_ptr<page_impl> p, std::string css,
                                               std::string frame_id = {});

} // namespace weft::chromium::detail
