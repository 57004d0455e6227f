-- Revenue per genre over a year range: nominal over every movie with a revenue, in constant dollars of price_base_month
-- over the priced_count of them released in a month the CPI covers (prices_from to prices_to).
SELECT genre, SUM(movie_count) AS movie_count, SUM(priced_count) AS priced_count, SUM(revenue) AS revenue,
       ROUND(SUM(revenue_constant), 2) AS revenue_constant, MAX(price_base_month) AS price_base_month,
       MIN(prices_from) AS prices_from, MAX(prices_to) AS prices_to
FROM gold.genre_revenue_cpi
WHERE year BETWEEN :year_from AND :year_to
GROUP BY genre
ORDER BY revenue_constant DESC NULLS LAST, genre
