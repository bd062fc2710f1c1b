/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 3723,
  wakeup_ns: 3902,
  blk_request_ns: 1450,
  blk_complete_ns: 582,
  irqfd_notify_ns: 941,
  main_loop_iteration_ns: 4083,
  main_loop_request_ns: 215,
  native_submit_batch_ns: 1596,
  io_uring_enter_ns: 1704,
  threads_submit_req_ns: 2084
};
