#pragma once
// Umbrella header: everything a quoting system needs.

#include "cybercover/assessment/assessment.hpp"
#include "cybercover/batch/portfolio.hpp"
#include "cybercover/date.hpp"
#include "cybercover/error.hpp"
#include "cybercover/exact.hpp"
#include "cybercover/io/json_io.hpp"
#include "cybercover/loss/loss_model.hpp"
#include "cybercover/posture/posture.hpp"
#include "cybercover/pricing/base_cover.hpp"
#include "cybercover/pricing/top_up.hpp"
#include "cybercover/quote/engine.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/tables/table_library.hpp"
#include "cybercover/types.hpp"
#include "cybercover/underwriting/underwriting.hpp"
