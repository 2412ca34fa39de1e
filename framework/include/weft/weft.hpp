// weft: the one header a spider includes.
#pragma once

#include <weft/async.hpp>
#include <weft/engine/engine.hpp>
#include <weft/engine/settings.hpp>
#include <weft/error.hpp>
#include <weft/html/document.hpp>
#include <weft/html/element.hpp>
#include <weft/html/links.hpp>
#include <weft/html/scanner.hpp>
#include <weft/http/client.hpp>
#include <weft/middleware/middleware.hpp>
#include <weft/middleware/pipeline.hpp>
#include <weft/spider/item.hpp>
#include <weft/spider/output.hpp>
#include <weft/spider/request.hpp>
#include <weft/spider/response.hpp>
#include <weft/spider/spider.hpp>
#include <weft/url/canonicalize.hpp>
#include <weft/url/resolve.hpp>
