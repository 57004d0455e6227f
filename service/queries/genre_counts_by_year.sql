-- Movies per genre per year over a year range (stacked bars).
SELECT year, genre, movie_count
FROM gold.genre_counts_by_year
WHERE year BETWEEN :year_from AND :year_to
ORDER BY year, genre
