# Reference figures for the loss model, computed independently with R's actuar package
# (Debian: apt install r-base-core r-cran-actuar). The C++ tests compare the library with the
# stored output (tests/r/loss_reference.json); tests/r/CMake runs this script again when R is
# installed and compares its fresh output with the stored one.
#
#   Rscript tests/r/loss_reference.R > tests/r/loss_reference.json
#
# Parameters are those of the default edition (rating_tables/2026-12/loss_model.json):
# lognormal severity, median 44,000 yen, sigma 2.37; and a Pareto (Lomax) and a spliced
# lognormal/Pareto of the same median for the other families.
#
# actuar's discretize(from = 0) leaves out an atom at 0 (its masses cover (from, to]): a layer
# payment has one (no claim payment below the attachment), so it is added back to the first mass.

suppressPackageStartupMessages(library(actuar))

mu <- log(44000)
sigma <- 2.37
pareto_alpha <- 1.4
pareto_scale <- 40000
splice_threshold <- 1e6
splice_alpha <- 1.6
splice_w <- plnorm(splice_threshold, mu, sigma)  # the lognormal's own mass below the threshold

out <- list()
num <- function(x) formatC(x, digits = 17, format = "g")
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")

# ---- severity families: cdf and limited expected values, by integrating the survival -----
cdf_spliced <- function(x) {
  ifelse(x <= splice_threshold, splice_w * plnorm(x, mu, sigma) / plnorm(splice_threshold, mu, sigma),
         1 - (1 - splice_w) * (splice_threshold / x)^splice_alpha)
}
lev_by_integration <- function(cdf, d) {
  sapply(d, function(u) {
    # split at the threshold and at the median so the integrand is smooth on each part
    pts <- sort(unique(c(0, pmin(c(44000, splice_threshold), u), u)))
    sum(sapply(seq_len(length(pts) - 1), function(i)
      integrate(function(x) 1 - cdf(x), pts[i], pts[i + 1], rel.tol = 1e-13, subdivisions = 2000)$value))
  })
}
d <- c(1e4, 1e5, 1e6, 3e6, 1e7, 1e8, 5e8)
out$limits <- d
out$lognormal_lev <- levlnorm(d, mu, sigma)
out$lognormal_lev_scaled_4 <- levlnorm(d, mu + log(4), sigma)
out$lognormal_second_moment <- levlnorm(d, mu, sigma, order = 2)
out$pareto_cdf <- ppareto(d, pareto_alpha, pareto_scale)
out$pareto_lev <- levpareto(d, pareto_alpha, pareto_scale)
out$pareto_second_moment <- levpareto(d, pareto_alpha, pareto_scale, order = 2)
out$spliced_cdf <- cdf_spliced(d)
out$spliced_lev <- lev_by_integration(cdf_spliced, d)
out$lognormal_quantiles_p <- c(1e-6, 0.01, 0.5, 0.9, 0.99, 0.999999)
out$lognormal_quantiles <- qlnorm(out$lognormal_quantiles_p, mu, sigma)

# ---- one layer: discretised payment, Panjer recursion, capped annual loss ------------------
# Base cover of a 40-staff tier-C company on utm_edr: response claims at 0.18 x 0.10 a year,
# each paying min(X, 3M); annual aggregate 3M. And the response top-up above it: attachment
# 3M + 100k, limit 10M.
layer <- function(name, lambda, a, L, h, scale = 1, freq = "poisson", size = NA) {
  m <- round(L / h)
  cdf <- function(y) ifelse(y < L, plnorm(a + y, mu + log(scale), sigma), 1)
  lev <- function(y) levlnorm(a + pmin(y, L), mu + log(scale), sigma) - levlnorm(a, mu + log(scale), sigma)
  f_unb <- discretize(cdf(x), from = 0, to = m * h, by = h, method = "unbiased", lev = lev(x))
  f_unb[1] <- f_unb[1] + cdf(0)
  f_rnd <- discretize(cdf(x), from = 0, to = (m + 1) * h, by = h, method = "rounding")
  f_rnd[1] <- f_rnd[1] + cdf(0)
  agg <- function(f) {
    Fs <- if (freq == "poisson") {
      aggregateDist("recursive", model.freq = "poisson", model.sev = f, lambda = lambda, x.scale = h,
                    tol = 1e-12, maxit = 1000000)
    } else {
      aggregateDist("recursive", model.freq = "negative binomial", model.sev = f, size = size,
                    prob = size / (size + lambda), x.scale = h, tol = 1e-12, maxit = 1000000)
    }
    x <- knots(Fs)
    p <- diff(c(0, Fs(x)))
    below <- x < L
    capped_p <- c(p[below], 1 - sum(p[below]))
    capped_x <- c(x[below], L)
    list(Fs = Fs, x = x, p = p, capped_x = capped_x, capped_p = capped_p,
         mean = sum(x * p), capped_mean = sum(capped_x * capped_p),
         capped_var = sum(capped_x^2 * capped_p) - sum(capped_x * capped_p)^2)
  }
  u <- agg(f_unb)
  r <- agg(f_rnd)
  # VaR and CTE of the capped annual loss at 99% and 99.5%
  capped_var_at <- function(a, p) a$capped_x[which(cumsum(a$capped_p) >= p - 1e-13)[1]]
  cte <- function(a, p) {
    v <- capped_var_at(a, p)
    pos <- a$capped_x > v
    sum(a$capped_x[pos] * a$capped_p[pos]) / sum(a$capped_p[pos])
  }
  list(name = name, lambda = lambda, attachment = a, limit = L, span = h, scale = scale, frequency = freq,
       size = size,
       severity_unbiased = f_unb, severity_rounding = f_rnd,
       layer_expected = lev(L),
       layer_second_moment = levlnorm(a + L, mu + log(scale), sigma, order = 2) -
         levlnorm(a, mu + log(scale), sigma, order = 2) - 2 * a * lev(L),
       aggregate_unbiased_head = u$p[seq_len(min(length(u$p), 400))],
       aggregate_unbiased_mean = u$mean,
       capped_mean_unbiased = u$capped_mean, capped_variance_unbiased = u$capped_var,
       capped_mean_rounding = r$capped_mean,
       var_99 = capped_var_at(u, 0.99), var_99_5 = capped_var_at(u, 0.995),
       cte_99 = cte(u, 0.99), cte_99_5 = cte(u, 0.995),
       actuar_var_uncapped_99_5 = unname(quantile(u$Fs, 0.995)),
       actuar_cte_uncapped_99_5 = unname(CTE(u$Fs, 0.995)))
}

layers <- list(
  layer("base_cover_utm_edr", 0.18 * 0.10, 0, 3e6, 15000),
  layer("response_top_up", 0.18 * 0.10, 3.1e6, 10e6, 50000),
  layer("liability_100m", 0.40 * 1.80 * 0.03, 0, 1e8, 500000, scale = 4),
  layer("base_cover_negative_binomial", 0.40 * 1.35 * 0.10, 0, 1e6, 5000, freq = "negative binomial", size = 2))

# ---- write JSON by hand (base R has no JSON writer) ----------------------------------------
cat("{\n")
cat('  "generated_by": "tests/r/loss_reference.R with actuar ', as.character(packageVersion("actuar")), '",\n', sep = "")
cat('  "parameters": {"mu": ', num(mu), ', "sigma": ', num(sigma), ', "pareto_alpha": ', num(pareto_alpha),
    ', "pareto_scale": ', num(pareto_scale), ', "splice_threshold": ', num(splice_threshold),
    ', "splice_alpha": ', num(splice_alpha), ', "splice_body_probability": ', num(splice_w), '},\n', sep = "")
scalars <- c("limits", "lognormal_lev", "lognormal_lev_scaled_4", "lognormal_second_moment", "pareto_cdf",
             "pareto_lev", "pareto_second_moment", "spliced_cdf", "spliced_lev", "lognormal_quantiles_p",
             "lognormal_quantiles")
for (n in scalars) cat('  "', n, '": ', vec(out[[n]]), ',\n', sep = "")
cat('  "layers": [\n')
for (i in seq_along(layers)) {
  l <- layers[[i]]
  cat("    {\n")
  keys <- names(l)
  for (j in seq_along(keys)) {
    k <- keys[j]
    v <- l[[k]]
    text <- if (is.character(v)) paste0('"', v, '"') else if (length(v) > 1) vec(v) else if (is.na(v)) "null" else num(v)
    cat('      "', k, '": ', text, if (j < length(keys)) "," else "", "\n", sep = "")
  }
  cat("    }", if (i < length(layers)) "," else "", "\n", sep = "")
}
cat("  ]\n}\n")
