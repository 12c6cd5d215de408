#pragma once
// The endpoints of the quote and policy register (--store; docs/http_api.md, docs/store.md):
// issue, read and bind quotes, read, cancel and change policies, and the monthly bordereau.

#include <optional>
#include <string_view>

#include "cybercover/quote/engine.hpp"
#include "service/handlers.hpp"

namespace cybercover::service {

struct StoreRoute {
  Endpoint endpoint;
  bool post;
};

// Matches /v1/quotes/issue, /v1/quotes/{id}, /v1/quotes/{id}/bind, /v1/policies/{id},
// /v1/policies/{id}/cancel, /v1/policies/{id}/change and /v1/bordereau.
std::optional<StoreRoute> match_store_route(std::string_view path);

// Handles one of those requests with context.store (not null). Throws Error (the caller
// replies with its code and status).
Reply handle_store(const ServiceContext& context, const Engine& engine, Endpoint endpoint,
                   std::string_view target, std::string_view body,
                   std::string_view idempotency_key);

}  // namespace cybercover::service
