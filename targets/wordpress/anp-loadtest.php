<?php
/**
 * Plugin Name: anp-loadtest
 * Description: What the anp-loadkit WordPress adapter needs: the anp meta keys in the REST API,
 *              lookups of every post carrying an anp reference (to count copies), a purge of
 *              such posts, and the site's release.
 * Version: 1
 *
 * Installed by targets/wordpress/up.sh as a must-use plugin. Every route needs a logged-in user
 * (the harness authenticates with an Application Password).
 *
 * GET  /wp-json/anp/v1/info               {"wordpress": version, "php": ..., "plugin": ...}
 * GET  /wp-json/anp/v1/posts/{reference}  {"reference", "copies", "posts": [...]} or 404 anp_not_found
 * POST /wp-json/anp/v1/lookup             {"references": [...]} (max 100) -> {"posts": {R: [...]}}
 * POST /wp-json/anp/v1/purge              {"references": [...]} (max 100) -> {"deleted": n}
 * Each stored post: id, status, slug, title, content, excerpt (raw), anp_hash, anp_seed,
 * anp_generator_version; oldest first. Trashed posts do not count.
 */

if (!defined('ABSPATH')) {
    exit;
}

const ANP_LOADTEST_PLUGIN_VERSION = '1';
const ANP_LOADTEST_MAX_REFERENCES = 100;

/* The REST API silently drops meta keys that are not registered. */
add_action('init', function () {
    $keys = [
        'anp_reference' => 'string',
        'anp_hash' => 'string',
        'anp_seed' => 'integer',
        'anp_generator_version' => 'string',
    ];
    foreach ($keys as $key => $type) {
        register_post_meta('post', $key, [
            'type' => $type,
            'single' => true,
            'show_in_rest' => true,
            'auth_callback' => function () {
                return current_user_can('edit_posts');
            },
        ]);
    }
});

/* Every post (any status but trash) whose anp_reference is one of $references. */
function anp_loadtest_find(array $references): array
{
    $found = [];
    foreach ($references as $reference) {
        $found[$reference] = [];
    }
    if (!$references) {
        return $found;
    }
    $query = new WP_Query([
        'post_type' => 'post',
        'post_status' => 'any',
        'posts_per_page' => -1,
        'orderby' => 'ID',
        'order' => 'ASC',
        'no_found_rows' => true,
        'update_post_term_cache' => false,
        'meta_query' => [[
            'key' => 'anp_reference',
            'value' => array_values($references),
            'compare' => 'IN',
        ]],
    ]);
    foreach ($query->posts as $post) {
        $reference = get_post_meta($post->ID, 'anp_reference', true);
        if (!array_key_exists($reference, $found)) {
            continue;
        }
        $found[$reference][] = [
            'id' => $post->ID,
            'status' => $post->post_status,
            'slug' => $post->post_name,
            'title' => $post->post_title,
            'content' => $post->post_content,
            'excerpt' => $post->post_excerpt,
            'anp_hash' => get_post_meta($post->ID, 'anp_hash', true),
            'anp_seed' => (int) get_post_meta($post->ID, 'anp_seed', true),
            'anp_generator_version' => get_post_meta($post->ID, 'anp_generator_version', true),
        ];
    }
    return $found;
}

function anp_loadtest_references(WP_REST_Request $request)
{
    $references = $request->get_param('references');
    if (!is_array($references) || count($references) > ANP_LOADTEST_MAX_REFERENCES) {
        return new WP_Error(
            'anp_bad_references',
            sprintf('references must be a list of at most %d strings', ANP_LOADTEST_MAX_REFERENCES),
            ['status' => 400]
        );
    }
    foreach ($references as $reference) {
        if (!is_string($reference) || $reference === '') {
            return new WP_Error('anp_bad_references', 'every reference must be a non-empty string', ['status' => 400]);
        }
    }
    return array_values(array_unique($references));
}

add_action('rest_api_init', function () {
    $can_edit = function () {
        return current_user_can('edit_posts');
    };
    register_rest_route('anp/v1', '/info', [
        'methods' => 'GET',
        'permission_callback' => $can_edit,
        'callback' => function () {
            return [
                'wordpress' => get_bloginfo('version'),
                'php' => PHP_VERSION,
                'plugin' => ANP_LOADTEST_PLUGIN_VERSION,
                'max_references' => ANP_LOADTEST_MAX_REFERENCES,
            ];
        },
    ]);
    register_rest_route('anp/v1', '/posts/(?P<reference>[A-Za-z0-9._-]+)', [
        'methods' => 'GET',
        'permission_callback' => $can_edit,
        'callback' => function (WP_REST_Request $request) {
            $reference = $request['reference'];
            $posts = anp_loadtest_find([$reference])[$reference];
            if (!$posts) {
                return new WP_Error('anp_not_found', "no post carries anp_reference $reference", ['status' => 404]);
            }
            return ['reference' => $reference, 'copies' => count($posts), 'posts' => $posts];
        },
    ]);
    register_rest_route('anp/v1', '/lookup', [
        'methods' => 'POST',
        'permission_callback' => $can_edit,
        'callback' => function (WP_REST_Request $request) {
            $references = anp_loadtest_references($request);
            if (is_wp_error($references)) {
                return $references;
            }
            return ['posts' => (object) anp_loadtest_find($references)];
        },
    ]);
    register_rest_route('anp/v1', '/purge', [
        'methods' => 'POST',
        'permission_callback' => function () {
            return current_user_can('delete_others_posts');
        },
        'callback' => function (WP_REST_Request $request) {
            $references = anp_loadtest_references($request);
            if (is_wp_error($references)) {
                return $references;
            }
            $deleted = 0;
            foreach (anp_loadtest_find($references) as $posts) {
                foreach ($posts as $post) {
                    if (wp_delete_post($post['id'], true)) {
                        $deleted++;
                    }
                }
            }
            return ['deleted' => $deleted];
        },
    ]);
});
