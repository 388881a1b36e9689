// The control plane's event loop and what lives on it (private to control_plane*.cpp).
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api_backend.hpp"
#include "control/api_router.hpp"
#include "control/http_server.hpp"
#include "control_plane.hpp"

namespace postern::dataplane {

struct ControlPlane::Loop {
    explicit Loop(ControlPlane &cp)
        : drain_timer(ioc), api(cp), router(api, cp.config_.api.token, cp.config_.api.read_token_required),
          server(ioc,
                 control::HttpLimits{cp.config_.api.max_body_bytes, cp.config_.api.max_header_bytes,
                                     cp.config_.api.max_connections,
                                     std::chrono::milliseconds(cp.config_.api.request_timeout_ms)},
                 [this](const control::Request &req, control::Reply reply) { router.handle(req, std::move(reply)); }) {}
    boost::asio::io_context ioc;
    boost::asio::steady_timer drain_timer;
    DataplaneApi api;
    control::ApiRouter router;
    control::HttpServer server;
    std::chrono::steady_clock::time_point next_stats;
};

}  // namespace postern::dataplane
