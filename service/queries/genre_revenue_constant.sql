-- Revenue per genre over a year range, nominal and in constant dollars of the latest CPI month.
SELECT genre, SUM(movie_count) AS movie_count, SUM(revenue) AS revenue,
       ROUND(SUM(revenue_constant), 2) AS revenue_constant, MAX(price_base_month) AS price_base_month
FROM gold.genre_revenue_cpi
WHERE year BETWEEN :year_from AND :year_to
GROUP BY genre
ORDER BY revenue_constant DESC, genre
