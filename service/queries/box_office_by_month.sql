-- Box office by release month over a year range.
SELECT month, SUM(movie_count) AS movie_count, SUM(total_revenue) AS total_revenue,
       ROUND(SUM(total_revenue) / SUM(movie_count), 2) AS mean_revenue
FROM gold.box_office_by_month
WHERE year BETWEEN :year_from AND :year_to
GROUP BY month
ORDER BY month
